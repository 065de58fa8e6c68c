// Staff screens of issue 14 (English): kept apart from en.js to limit merge conflicts; merged under `bo`.
export default {
  menu: { comparison: 'List comparison', caseTrips: 'Case trips', commandCentre: 'Command centre', articles: 'Articles', staffAccounts: 'Staff accounts', checkpoints: 'Checkpoints', resumptionReview: 'Resumption review', suppliesOffice: 'Supplies office', supplyRequests: 'Request supplies' },
  items: {
    masks: 'Masks', protective_suits: 'Protective suits', goggles: 'Goggles', disinfectant: 'Disinfectant', grain_oil: 'Grain and oil', vegetables: 'Vegetables', meat: 'Meat',
    eggs: 'Eggs', milk: 'Milk',
  },
  tiers: { frontline_medical: 'Frontline medical', frontline_prevention: 'Frontline prevention', return_to_work: 'Return to work', aid_other_regions: 'Aid to other regions' },
  unitKinds: { community: 'Village / community', department: 'Department / hospital', enterprise: 'Enterprise', external: 'Region receiving aid' },
  inboundKinds: { donation: 'Donation', procurement: 'Procurement' },
  requestStates: { open: 'Open', partly_allocated: 'Partly allocated', allocated: 'Allocated', dispatched: 'Dispatched', received: 'Received' },
  lineStates: { allocated: 'To dispatch', dispatched: 'Dispatched, to sign for', received: 'Signed for' },
  supplies: {
    title: 'Supplies office', stockTab: 'Stock', warehousesTab: 'Warehouses', inboundTab: 'Inbound', requestsTab: 'Requests', runTab: 'Allocate',
    cityAlertLine: 'In no warehouse: {available} available, threshold {threshold}', alerts: 'Low-stock alerts', noAlerts: 'No stock below its threshold', low: 'Below threshold', alertLine: '{warehouse}: {available} available, threshold {threshold}',
    itemLine: '{available} available · {reserved} reserved · threshold {threshold} ({unit})', threshold: 'Low-stock threshold', setThreshold: 'Threshold of {item}', warehouse: 'Warehouse',
    newWarehouse: 'Add a warehouse', warehouseName: 'Warehouse name', address: 'Address', county: 'County', stockOf: 'Stock of {name}', noStock: 'Nothing in stock here', item: 'Item',
    quantity: 'Quantity', kind: 'Kind', source: 'Donor or supplier', reference: 'Invoice / certificate no.', bookIn: 'Book in', inboundLine: '{kind} · {source} · {quantity}',
    pickItem: 'Choose an item', pickWarehouse: 'Choose a warehouse', requestLine: '{unit} · {tier} · asked {quantity}, open {outstanding} · by {needed}', late: 'Late',
    release: 'Units to release', releaseHint: 'Optional: all available stock by default', preview: 'Preview the allocation', previewTitle: 'Frontline first: the plan (not committed yet)',
    commit: 'Commit the allocation', previewLine: '{tier} · open {outstanding} → gets {quantity}', previewSummary: 'Released {released}, allocated {allocated}, left {left}',
    runs: 'Allocation runs', runLine: '{at} · allocated {allocated}', noWarehouse: 'Add a warehouse first', fillFirst: 'Fill in every field first',
  },
  run: {
    title: 'Allocation run', summary: 'Released {released}, allocated {allocated}, left in stock {left}', dispatch: 'Dispatch', carrier: 'Vehicle / carrier', carrierHint: 'e.g. 豫M·12345',
    dispatched: 'Dispatched', nothing: 'Nothing allocated to this request in this run', given: 'What each request got, and its dispatch',
  },
  requests: {
    title: 'Request supplies', unit: 'Requesting unit', unitKind: 'Kind of unit', unitId: 'Unit id', unitName: 'Unit name', tier: 'Priority', neededBy: 'Needed by', purpose: 'Purpose',
    submit: 'File the request', mine: "This unit's requests", ledger: 'Ledger: allocated {allocated} · dispatched {dispatched} · received {received}', sign: 'Sign for it',
    received: 'Quantity received', signed: 'Signed for', shortfall: '{n} short', lineLine: '{status} · {quantity}', noUnit: 'Your account has no unit that may request supplies',
    pickUnit: 'Show',
  },
  ent: {
    latest: 'Latest application: resume on {date}', note: 'Decision note: {note}', apply: 'Apply to resume work', plannedDate: 'Planned date', measures: 'Prevention measures',
    beds: 'Isolation room beds', maskDays: 'Mask stock (days)', description: 'Prevention plan', required: 'Daily temperature checks, masks, disinfection and a code check at work are required.',
    submit: 'Apply to resume', applied: 'Filed: waiting for the command centre', addEmployee: 'Add an employee due back', name: 'Name', idNumber: 'ID number', add: 'Add',
    removeOne: 'Remove {name}', removeHint: 'The employee leaves this enterprise\'s roster.',
  },
  measures: {
    temperature_checks: 'Daily temperature checks', masks: 'Masks', disinfection: 'Regular disinfection', health_code_check: 'Code check at work', isolation_room: 'Isolation room',
    staggered_shifts: 'Staggered shifts', separate_meals: 'Separate meals', ventilation: 'Ventilation', closed_management: 'Closed management', visitor_registration: 'Visitor registration',
  },
  industries: {
    agriculture: 'Agriculture', mining: 'Mining', manufacturing: 'Manufacturing', food_processing: 'Food processing', pharmaceutical: 'Pharmaceuticals', energy: 'Power, heat and gas',
    construction: 'Construction', logistics: 'Transport and logistics', wholesale_retail: 'Wholesale and retail', services: 'Services',
  },
  review: {
    title: 'Resumption review', all: 'All', aboveScale: 'Above scale', register: 'Register an enterprise', creditCode: 'Unified social credit code', name: 'Enterprise name',
    industry: 'Industry', roster: 'Employees due back', rosterLine: '{green} green of {total}', plan: 'Prevention plan (resume on {date})', reason: 'Decision note',
    reasonHint: 'Required to refuse; the enterprise sees it', approve: 'Approve', reject: 'Refuse', reasonRequired: 'Give the reason for refusing', approved: 'Approved',
    rejected: 'Refused',
  },
  auth: {
    forgot: 'Forgot password', forgotTitle: 'Reset the password', sendCode: 'Send me a code', reset: 'Reset and sign in', codeSent: 'A code was sent to {to}',
    newPasswordTitle: 'First sign-in: choose a new password', newPasswordNote: 'An administrator created this account with a temporary password. Choose one only you know.',
    newPassword: 'New password', again: 'Again', mismatch: 'The two passwords differ', setAndSignIn: 'Set it and sign in',
  },
  staff: {
    title: 'Staff accounts', intro: 'An account for a staff member: the role decides what they may do, the scope what they see.', temporaryPassword: 'Temporary password', role: 'Role',
    cityWide: 'The whole city (no county)', create: 'Create the account', created: 'Accounts created here', firstSignIn: 'At first sign-in the person signs in with the temporary password and chooses their own.',
  },
  cp: {
    title: 'Checkpoints', active: 'Open', closed: 'Closed', create: 'Register a checkpoint', name: 'Checkpoint name', kind: 'Kind', entrances: 'Entrances', entrancesHint: 'Comma-separated, e.g. East gate, West gate',
    place: 'Where', latitude: 'Latitude', longitude: 'Longitude', edit: 'Edit the checkpoint', save: 'Save', staff: 'Staff of this checkpoint', assign: 'Give it a staff account',
  },
  cpKinds: {
    village_entrance: 'Village entrance', residential_compound: 'Residential compound', highway_exit: 'Highway exit', station: 'Station', market: 'Market', enterprise: 'Enterprise', hospital: 'Hospital',
    public_building: 'Public building',
  },
  art: {
    title: 'Articles', new: 'New article', revisionWaiting: 'Edit in review', returned: 'Returned by the reviewer: {note}',
    editGoesToReview: 'An edit of a published article is reviewed again; until then the public reads the text as it is.', revision: 'Edit by {by} (in review)',
    live: 'What the public reads now', kind: 'Kind', heading: 'Title', summary: 'Summary', body: 'Text', source: 'Issued by', rebuts: 'Rumour answered', save: 'Save the draft',
    saveRevision: 'Save the edit for review', revisionSaved: 'The edit went to review; the public still reads the approved text', submit: 'Send to review',
    secondPerson: 'You sent this to review: another reviewer publishes it.', publish: 'Approve and publish', approveRevision: 'Approve and publish the edit', returnNote: 'Reason',
    return: 'Return for changes', returnNeedsNote: 'Give the reason for returning it', withdraw: 'Withdraw',
    done: { submit: 'Sent to review', publish: 'Published', withdraw: 'Withdrawn', return: 'Returned' },
  },
  artStates: { draft: 'Drafts', in_review: 'In review', published: 'Published', withdrawn: 'Withdrawn' },
  artKinds: { announcement: 'Announcement', measure: 'Measure', knowledge: 'Prevention knowledge', rumour_rebuttal: 'Rumour rebuttal' },
  command: {
    title: 'Sanmenxia epidemic command centre', home: '‹ Home', crumbs: 'Area shown', asOf: 'Data as of {time}', loading: 'Loading…', refresh: 'refreshes every minute',
    map: 'Key persons in the six county-level divisions', ranking: 'Key persons by community in {area}', supplies: 'Supplies (asked · received · in stock)', requested: 'Asked', received: 'Received', stock: 'In stock',
    countyOnly: 'Supplies and return to work are counted for the city or a county: go up one level to see them.',
  },
  upload: { failed: 'The file could not be uploaded ({status})', rejected: 'The file has {n} problems; no line was imported:', line: 'Line', field: 'Field', reason: 'Problem' },
  cmp: {
    title: 'List comparison', new: 'New comparison', name: 'List name', nameHint: 'e.g. carrier, 3 Feb, arrivals from Wuhan', reason: 'Reason', category: 'Key-person category of a match', noCategory: 'None (hold only)',
    file: 'CSV file', fileHint: 'One person a line: ID number or phone (or both), optional date column; first line holds the column names.', upload: 'Upload and compare', uploaded: 'Uploaded; comparing', pickFile: 'Choose a CSV file',
    status: 'Status', progress: 'Progress', hits: 'Residents matched', lifted: '{n} holds lifted', withdraw: 'Withdraw the list', withdrawConfirm: 'Withdrawing lifts every hold this list placed. Withdraw it?', jobs: 'Comparisons',
    states: { awaiting_upload: 'Awaiting upload', comparing: 'Comparing', done: 'Done', rejected: 'File rejected', withdrawn: 'Withdrawn' },
  },
  trips: {
    title: 'Case trips', one: 'One by one', csv: 'CSV import', ofDay: 'By day', numberHint: 'train or flight number, e.g. G1234', from: 'From', to: 'To', source: 'Link to the official notice', caseRef: 'Case number (optional)',
    publish: 'Publish the trip', done: 'Published', published: '{n} trips published; {notified} residents who saved them were told', csvHint: 'Columns: date, mode, number, from, to, source_url (required); carriage, row, seat, case_ref (optional). Imported only when every line is right.',
    report: 'Import result', written: '{n} trips imported; {notified} residents told', states: { uploaded: 'Uploaded, waiting to be checked', validating: 'Checking', imported: 'Imported', rejected: 'File rejected' },
  },
}
