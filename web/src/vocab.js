// Vocabularies shared with the API (values are the API's enum values; labels are in the locale files).
// Health-code check-in symptoms (sanmenxia.healthcode.service.Symptom)
export const SYMPTOMS = ['cough', 'sore_throat', 'fatigue', 'shortness_of_breath', 'diarrhea', 'muscle_ache', 'loss_of_taste_or_smell', 'runny_nose', 'chills']
// Self-report and key-person follow-up symptoms (sanmenxia.community.residents.Symptom)
export const REPORT_SYMPTOMS = ['fever', 'cough', 'fatigue', 'sore_throat', 'shortness_of_breath', 'diarrhea', 'loss_of_smell_or_taste', 'other']
export const TIPOFF_CATEGORIES = [
  'no_fever_checkpoint',
  'fever_person',
  'gathering',
  'returnee_from_wuhan',
  'vehicle_from_hubei',
  'rumour',
  'price_gouging',
  'fake_supplies',
  'collecting_used_masks',
  'selling_wild_game',
]
export const PERSON_TYPES = ['permanent', 'migrant_worker', 'returnee', 'visitor']
export const ISOLATION_STATUSES = ['none', 'home', 'centralized', 'medical_observation', 'hospital']
export const ISOLATION_NEEDS_SITE = ['centralized', 'hospital']
export const TRAVEL_REGIONS = ['within_city', 'outside_city', 'hubei', 'wuhan']
export const HARDSHIPS = ['medicine', 'daily_necessities', 'medical_visit', 'other']
export const HARDSHIP_STATUSES = ['open', 'in_progress', 'resolved', 'declined']
export const HELP_KINDS = ['medicine', 'food', 'medical_visit', 'elderly_care', 'other']
// Material needs go to hardship requests (one channel, the community owns them), not to help messages.
export const MATERIAL_HELP_KINDS = ['medicine', 'food', 'medical_visit']
export const KEY_PERSON_CATEGORIES = ['from_outside_city', 'from_hubei', 'from_wuhan', 'close_contact', 'fever_without_contact']
export const KEY_PERSON_STATUSES = ['pending', 'active', 'released', 'dismissed']
export const CONTROL_MEASURES = ['home_isolation', 'centralized_isolation', 'medical_observation', 'hospital']
export const MEASURE_NEEDS_SITE = ['centralized_isolation', 'hospital']
export const TRAVEL_MODES = ['flight', 'train', 'bus', 'ship', 'metro', 'taxi']
export const RELATIONS = ['spouse', 'child', 'parent', 'grandparent', 'grandchild', 'sibling', 'other']
export const ORDER_STATES = ['received', 'dispatched', 'handling', 'replied', 'revisited', 'closed']
export const ORDER_TYPES = ['consultation', 'report', 'help_request', 'complaint']
export const DEPARTMENTS = [
  'public_security',
  'market_regulation',
  'health_commission',
  'transport',
  'civil_affairs',
  'community_affairs',
  'propaganda',
  'big_data',
  'hotline_center',
]
export const ARTICLE_KINDS = ['announcement', 'measure', 'knowledge', 'rumour_rebuttal']
