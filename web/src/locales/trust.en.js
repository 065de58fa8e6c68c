// Accountability (issue 18: two-person rule, explanations, published rules), merged under `trust`.
export default {
  menu: { proposals: 'Manual colour changes', record: 'Resident full record', grants: 'Break-glass supervision', publicCounts: 'Public counts' },
  proposals: {
    title: 'Manual colour changes', intro: 'A colour changed by hand (a hold placed or lifted by staff) takes effect only when a second authorised staff member approves it; the proposer cannot approve their own proposal, and proposals expire.',
    pending: 'Pending', approved: 'Approved', refused: 'Refused', expired: 'Expired', county: 'County', none: 'No proposals waiting',
    place: 'Place a manual hold', lift: 'Lift a hold', proposer: 'Proposed by', expires: 'Expires', reason: 'Reason', evidence: 'Evidence', bulk: 'Bulk change: a commander must approve',
    approve: 'Approve', refuse: 'Refuse', note: 'Note', noteHint: 'Say why (at least 2 characters)', mine: 'Your own proposal: someone else approves it', done: 'Done',
    newTitle: 'Propose a manual change', person: 'Person id', personHint: '24-character person id', action: 'Change', color: 'Colour', hold: 'Hold to lift', holdHint: 'e.g. fever#declaration',
    reasonHint: 'At least 4 characters', evidenceHint: 'Evidence or how it was checked (at least 4 characters)', submit: 'Propose', submitted: 'Proposed: a second staff member must approve it',
    line: '{action} · {person} · {created}',
  },
  explanation: {
    title: 'Why this colour', intro: 'A code\'s colour follows only from recorded facts: the rule version, the application day, each day\'s check-in, and every hold with its source and reason. They are listed below, and the colour is recomputed from them.',
    color: 'Colour now', ruleColor: 'Rule colour (without holds)', rule: 'Rule version {version}',
    thresholds: 'yellow after {yellow_after_missed_days} day(s) without a check-in; red after {red_after_missed_days}; red to green after {green_after_checkin_days} consecutive check-ins (in force from {valid_from})',
    recomputed: 'Recomputed from the facts', matches: 'Same as the colour shown', differs: 'Differs from the colour shown: please appeal', facts: 'Recorded facts', appliedOn: 'Applied on',
    checkinDays: 'Check-in days ({n})', none: 'None', holds: 'Holds (lifted ones too)', noHolds: 'No holds', changes: 'Colour changes', link: 'Why this colour?',
  },
  appeal: { liftProposed: 'Lift proposed: a second staff member must approve it' },
  timeline: {
    title: 'My data timeline', link: 'My data and who read it', intro: 'Every fact the platform holds about you and your household (applications, check-ins, gate passages, holds with source and reason, colour changes with the rule version, appeals, list matches), and every time staff read or acted on your record (role, unit, when, why).',
    none: 'Nothing yet', more: 'Load more', all: 'All', accesses: 'Staff accesses only', person: 'Person', why: 'Why', until: 'Valid until',
    kinds: {
      registered: 'Registered', applied: 'Applied for a code', check_in: 'Daily check-in', scan: 'Gate passage', hold_placed: 'Hold placed', hold_lifted: 'Hold lifted',
      import_match: 'Matched an imported list', colour_change: 'Colour change', appeal: 'Appeal', staff_access: 'Staff access', break_glass: 'Break-glass grant',
    },
  },
  record: {
    title: 'Resident full record', intro: 'Only the head of the resident\'s own community opens the full record directly; other staff give a reason first (break-glass). The grant is short-lived, audited, and shown in the resident\'s own timeline.',
    person: 'Person id', personHint: '24-character person id', open: 'Open', needReason: 'Outside your scope: give a reason to read it', reasonCode: 'Reason', justification: 'Justification',
    justificationHint: 'At least 10 characters; the resident sees it', request: 'Request break-glass access', granted: 'Granted until {until}',
    reasons: { emergency_care: 'Emergency care', epidemic_investigation: 'Epidemiological investigation', appeal_review: 'Appeal review', supervision: 'Supervision', legal_request: 'Legal request' },
  },
  grants: {
    title: 'Break-glass supervision', intro: 'Every grant in this county that let staff read a resident\'s record outside their scope (who, which unit, when, why), newest first.',
    county: 'County', none: 'No break-glass grants', active: 'Active', expired: 'Expired', count: '{n} on this page; by unit: {units}',
  },
  publicCounts: {
    title: 'Public counts', intro: 'Each day: manual colour changes proposed, approved and refused by each unit; appeals each county received and resolved within the time limit ({hours} h) or late; and how many expired records were deleted, by table and day. No personal data.',
    suppressed: 'Counts below {n} are not published (shown as “<{n}”) so that no figure points at a person.', since: 'From', until: 'To', manual: 'Manual colour changes', appeals: 'Appeals', deletions: 'Deletion report',
    day: 'Day', county: 'County', unit: 'Unit', proposed: 'Proposed', approved: 'Approved', refused: 'Refused', received: 'Received', inTime: 'Resolved in time', late: 'Resolved late',
    table: 'Table', deleted: 'Deleted', none: 'No data yet',
  },
}
