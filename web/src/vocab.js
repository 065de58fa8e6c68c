// Vocabularies shared with the API (values are the API's enum values; labels are in the locale files).
export const SYMPTOMS = ['cough', 'fatigue', 'sore_throat', 'shortness_of_breath', 'diarrhoea', 'loss_of_taste']
export const TIPOFF_CATEGORIES = [
  'no_fever_checkpoint',
  'fever_person',
  'gathering',
  'wuhan_returnee',
  'hubei_vehicle',
  'rumour',
  'price_gouging',
  'fake_supplies',
  'used_mask_collection',
  'wild_game',
]
export const PERSON_TYPES = ['permanent', 'migrant_worker', 'returnee', 'visitor']
export const HARDSHIPS = ['medicine', 'daily_necessities', 'medical_visit', 'other']
export const KEY_PERSON_CATEGORIES = ['outside_city', 'hubei', 'wuhan', 'close_contact', 'fever_no_contact']
export const CONTROL_MEASURES = ['home_isolation', 'centralized_isolation', 'medical_observation', 'hospital']
export const TRAVEL_MODES = ['flight', 'train', 'bus', 'ship', 'metro', 'taxi']
export const RELATIONS = ['spouse', 'child', 'parent', 'grandparent', 'grandchild', 'sibling', 'other']
export const ORDER_STATES = ['received', 'dispatched', 'handling', 'replied', 'revisited', 'closed']
export const ORDER_KINDS = ['consultation', 'report', 'help_request', 'complaint']
