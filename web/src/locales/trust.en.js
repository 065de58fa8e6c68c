// Accountability (issue 18: two-person rule, explanations, published rules), merged under `trust`.
export default {
  menu: { proposals: 'Manual colour changes' },
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
}
