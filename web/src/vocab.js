// Vocabularies shared with the API (values are the API's enum values; labels are in the locale files).
// The shared ones come from the server's code: web/src/vocabulary.json is written by `make vocabulary` from
// sanmenxia.vocabulary, and a unit test fails when the two disagree.
import VOCABULARY from './vocabulary.json'

// One symptom list for check-ins, self-reports and follow-ups (fever among them)
export const SYMPTOMS = VOCABULARY.symptoms
export const REPORT_SYMPTOMS = VOCABULARY.symptoms
/** A stored symptom code in today's spelling (records written before the lists were merged). */
export const symptomCode = (code) => VOCABULARY.retired_symptoms[code] || code
export const TIPOFF_CATEGORIES = VOCABULARY.tipoff_categories
export const PERSON_TYPES = ['permanent', 'migrant_worker', 'returnee', 'visitor']
export const ISOLATION_STATUSES = ['none', 'home', 'centralized', 'medical_observation', 'hospital']
export const ISOLATION_NEEDS_SITE = ['centralized', 'hospital']
export const TRAVEL_REGIONS = ['within_city', 'outside_city', 'hubei', 'wuhan']
export const HARDSHIPS = VOCABULARY.hardship_kinds
export const HARDSHIP_STATUSES = ['open', 'in_progress', 'resolved', 'declined']
export const HELP_KINDS = VOCABULARY.help_kinds
// Material needs go to hardship requests (one channel, the community owns them), not to help messages.
export const MATERIAL_HELP_KINDS = ['medicine', 'food', 'medical_visit']
export const KEY_PERSON_CATEGORIES = ['from_outside_city', 'from_hubei', 'from_wuhan', 'close_contact', 'fever_without_contact', 'same_place']
export const KEY_PERSON_STATUSES = ['pending', 'active', 'released', 'dismissed']
export const CONTROL_MEASURES = ['home_isolation', 'centralized_isolation', 'medical_observation', 'hospital']
export const MEASURE_NEEDS_SITE = ['centralized_isolation', 'hospital']
export const TRAVEL_MODES = ['flight', 'train', 'bus', 'ship', 'metro', 'taxi']
export const RELATIONS = ['spouse', 'child', 'parent', 'grandparent', 'grandchild', 'sibling', 'other']
export const ORDER_STATES = ['received', 'dispatched', 'handling', 'replied', 'revisited', 'closed']
export const ORDER_TYPES = ['consultation', 'report', 'help_request', 'complaint']
export const DEPARTMENTS = VOCABULARY.departments
export const SUPPLY_ITEMS = VOCABULARY.supply_items
export const SUPPLY_UNITS = VOCABULARY.supply_units
export const ARTICLE_KINDS = ['announcement', 'measure', 'knowledge', 'rumour_rebuttal']
