// Tracing (issue 17: exposure from scans, contacts and chains): kept apart from en.js; merged under `tr`.
export default {
  menu: { exposure: 'Exposure tracing' },
  contacts: {
    title: 'Contacts and chain', open: 'Contacts and chain', register: 'Register a contact', idNumber: 'ID number', phone: 'Phone', findBy: 'Find by', kind: 'Kind of contact', date: 'Date of contact',
    submit: 'Register', list: 'Registered contacts', none: 'No contacts registered', until: 'followed until {date}', chain: 'Chain', table: 'People in the chain', contactsOf: '{n} contacts', followUp: 'Followed up each day',
    followLine: '{due} due, {followed} followed up', kinds: { household: 'Same household', work: 'Work', gathering: 'Meal or gathering', transport: 'Same vehicle', medical: 'Medical care', other: 'Other' },
    hidden: '(outside your scope)', saved: 'Registered', already: 'Already registered',
  },
  exposure: {
    title: 'Exposure from checkpoint scans',
    intro: 'Mark the checkpoints and times a confirmed case was there (or use its own scans). Everyone scanned there at or near that time is notified and becomes a candidate in their own community. Running again adds nobody twice.',
    caseId: 'Case ID number', idRule: 'Enter the 18-character ID number', fromScans: "From the case's own scans", windows: 'Checkpoints and times',
    checkpoint: 'Checkpoint', start: 'From', end: 'To', addWindow: 'Add a window', run: 'Run',
    result: 'Result', case: 'Case', counts: 'Found', countsLine: '{found} in all: {close_contacts} close, {same_place} same place; {added} new',
    cost: 'Read', costLine: '{index_reads} index queries, {scans_read} scans', runs: 'Runs', runLine: '{found} found · {added} new',
    noRuns: 'No runs yet', done: 'Done: {added} new',
  },
}
