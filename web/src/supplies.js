// Supplies vocabularies (values are the API's enums: sanmenxia.supplies.catalogue / allocation); labels in bo.*.
export const ITEMS = ['masks', 'protective_suits', 'goggles', 'disinfectant', 'grain_oil', 'vegetables', 'meat', 'eggs', 'milk']
export const TIERS = ['frontline_medical', 'frontline_prevention', 'return_to_work', 'aid_other_regions']
export const INBOUND_KINDS = ['donation', 'procurement']
export const UNIT_KINDS = ['community', 'department', 'enterprise', 'external']
// The unit a staff account speaks for (auth.require_supply_unit): [kind, scope attribute, role].
export const OWN_UNITS = [
  ['community', 'community_id', 'community_head'],
  ['department', 'department', 'department_handler'],
  ['enterprise', 'enterprise_id', 'enterprise_admin'],
]
