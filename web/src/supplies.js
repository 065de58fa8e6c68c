// Supplies vocabularies (values are the API's enums: sanmenxia.supplies.catalogue / allocation); labels in bo.*.
export const ITEMS = ['masks', 'protective_suits', 'goggles', 'disinfectant', 'grain_oil', 'vegetables', 'meat', 'eggs', 'milk']
export const TIERS = ['frontline_medical', 'frontline_prevention', 'return_to_work', 'aid_other_regions']
export const INBOUND_KINDS = ['donation', 'procurement']
export const UNIT_KINDS = ['community', 'department', 'enterprise', 'external']
// The tiers each kind of unit may ask under (catalogue.ALLOWED_TIERS), and the medical departments that may
// also ask under frontline_medical (catalogue.MEDICAL_UNITS, MEDICAL_UNIT_PREFIXES); the server checks again.
const ALLOWED_TIERS = {
  community: ['frontline_prevention'],
  department: ['frontline_prevention'],
  enterprise: ['return_to_work'],
  external: ['aid_other_regions'],
}
const MEDICAL_UNITS = { department: ['health', 'health_commission'] }
const MEDICAL_UNIT_PREFIXES = { department: ['hospital-'] }

export function allowedTiers(kind, unitId) {
  const id = unitId || ''
  const medical = (MEDICAL_UNITS[kind] || []).includes(id) || (MEDICAL_UNIT_PREFIXES[kind] || []).some((prefix) => id.startsWith(prefix))
  return medical ? ['frontline_medical', ...ALLOWED_TIERS[kind]] : ALLOWED_TIERS[kind]
}
// The unit a staff account speaks for (auth.require_supply_unit): [kind, scope attribute, role].
export const OWN_UNITS = [
  ['community', 'community_id', 'community_head'],
  ['department', 'department', 'department_handler'],
  ['enterprise', 'enterprise_id', 'enterprise_admin'],
]
