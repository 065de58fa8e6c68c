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
  appeal: { liftProposed: 'Lift proposed: a second staff member must approve it' },
}
