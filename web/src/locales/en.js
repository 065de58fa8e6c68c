// English
export default {
  app: { name: 'Online Sanmenxia', slogan: 'Epidemic control · Health code · Services' },
  tabs: { home: 'Home', code: 'Code', messages: 'Messages', me: 'Me' },
  common: {
    loading: 'Loading…', empty: 'Nothing yet', noMore: 'No more', retry: 'Failed to load, tap to retry', choose: 'Choose',
    optional: 'Optional', submit: 'Submit', cancel: 'Cancel', remove: 'Remove', saved: 'Saved',
  },
  errors: {
    title: 'Not done', network: 'No connection. Check the network and try again.', config: 'Cannot read the app configuration; try again later.',
    status: {
      400: 'Bad request', 401: 'Your sign-in has expired; sign in again', 403: 'Not allowed', 404: 'Not found', 409: 'Conflicts with an existing record',
      413: 'Too large', 422: 'Please correct the form', 429: 'Too many requests; try again later', 500: 'Server error; try again later',
      502: 'Service unavailable', 503: 'Service unavailable; try again later', other: 'Request failed ({status})',
    },
  },
  cognito: {
    notAuthorized: 'Wrong user name or password', notConfirmed: 'The account is not verified yet', exists: 'That user name is taken',
    invalidPassword: 'Password too weak (8+ characters with lower-case letters and digits)', invalidParameter: 'Some details are not in the right format',
    codeMismatch: 'Wrong verification code', codeExpired: 'The code has expired; request a new one', tooMany: 'Too many attempts; try again later',
    resetRequired: 'The password must be reset', newPassword: 'A new password is required at first sign-in; contact the administrator', other: 'Sign-in service error: {detail}',
  },
  login: {
    username: 'User name', usernamePlaceholder: 'Your user name', usernameRequired: 'Enter your user name', password: 'Password',
    passwordPlaceholder: 'Your password', passwordRequired: 'Enter your password', submit: 'Sign in', toSignup: 'Create an account',
    visitor: 'Continue as visitor', demoTitle: 'Demo accounts (local only)', demoNote: 'Tap to sign in as that account; this list only appears when running locally.',
  },
  signup: {
    title: 'Sign up', usernameHint: '3–64 letters, digits or _.@-', usernameRule: 'User name: 3–64 letters, digits or _.@-',
    phoneHint: '11-digit mobile number', passwordHint: '8+ characters, lower-case letters and digits', passwordRule: 'Password: 8+ characters with lower-case letters and digits',
    submit: 'Send code and sign up', codeSent: 'A code was sent to {phone}', code: 'Code', codeRequired: 'Enter the code', confirm: 'Verify and sign in',
  },
  home: {
    hello: 'Hello, {name}', registerFirst: 'Register your resident details first, then apply for a health code', myCode: 'My health code', applyNow: 'Apply now',
    checkInNow: 'Check in today', checkedIn: 'Checked in today', staffTools: 'Workbench', signIn: 'Sign in / Sign up', latestNews: 'News',
  },
  menu: {
    code: 'Health code', checkin: 'Check-in', household: 'Household', selfReport: 'Self-report', tipoff: 'Tip-off', cotravel: 'Co-travel',
    help: 'Help', news: 'News', scan: 'Scan codes', community: 'Community', hotline: '12345 orders', dashboard: 'Dashboard',
  },
  me: {
    title: 'Me', account: 'Account', roles: 'Roles', noRole: 'None', noRoleHint: 'This account has no resident role yet; sign in again later or contact your community.',
    myRecord: 'My registration', settings: 'Settings', language: 'Language 语言', switchLanguage: '中文', largeFont: 'Large text',
    largeFontHint: 'Bigger text and buttons for older users', myTipoffs: 'My tip-offs', signOut: 'Sign out',
  },
  roles: {
    resident: 'Resident', checkpoint_staff: 'Checkpoint staff', community_head: 'Community head', hotline_operator: '12345 operator',
    department_handler: 'Department handler', enterprise_admin: 'Enterprise admin', supplies_officer: 'Supplies officer', commander: 'Commander', admin: 'Administrator',
  },
  scope: { county_code: 'County', community_id: 'Community', checkpoint_id: 'Checkpoint', department: 'Department', enterprise_id: 'Enterprise' },
  fields: {
    name: 'Name', id_number: 'ID number', phone: 'Mobile', address: 'Address', community_id: 'Community', county_code: 'County',
    temperature: 'Temperature', symptoms: 'Symptoms', relation: 'Relation', person_type: 'Person type', isolation: 'Isolation', place: 'Place',
    from_date: 'From', to_date: 'To', hardships: 'Needs', note: 'Note', category: 'Category', description: 'Description',
    photo: 'Photo', date: 'Date', mode: 'Mode', number: 'Train/flight no.', carriage: 'Carriage', seat: 'Seat', kind: 'Type',
    message: 'Message', measure: 'Control measure', source: 'Source', problems: 'Problems', department: 'Department', token: 'Health code',
    declaration_accepted: 'Declaration', fever: 'Fever', in_isolation: 'Isolation', reason: 'Reason', scan_id: 'Scan id', direction: 'Direction',
    entrance: 'Entrance', vehicle_plate: 'Plate', body: 'Request',
  },
  validation: {
    name: 'Enter the name', idNumber: 'Invalid ID number (18 characters, check digit or birth date wrong)', phone: 'Enter an 11-digit mobile number',
    community: 'Choose the community', address: 'Enter the address', temperature: 'Enter a temperature between 34 and 43',
    gateTemperature: 'Temperature must be 30–45 °C', place: 'Enter the place', date: 'Choose a date', category: 'Choose a category',
    description: 'Describe what happened', number: 'Enter the train or flight number', message: 'Enter your message',
  },
  colors: { green: 'Green', yellow: 'Yellow', red: 'Red', none: 'No code' },
  register: {
    title: 'Resident registration', intro: 'Register with your real name to apply for a health code and act for your family.', submit: 'Register', done: 'Registered',
    privacy: 'ID number, name and phone are stored encrypted and shown masked only.',
  },
  apply: {
    title: 'Apply for a health code', ruleTitle: '"Two no\'s, one check-in, one application"', rule: 'Not in isolation, no fever, a daily temperature check-in and an honest application. The system compares key-person, isolation, fever and co-travel data and grants green when nothing is against it.',
    declaration: 'Declaration', fever: 'Do you have a fever?', feverHint: 'Temperature ≥ 37.3 °C', isolation: 'Are you in isolation?', isolationHint: 'At home or centralized',
    accept: 'I declare that this information is true and accept legal responsibility for false statements', mustAccept: 'Read and accept the declaration', submit: 'Apply', done: 'Applied: {color}',
  },
  checkin: {
    title: 'Daily check-in', temperatureHint: 'e.g. 36.5', feverWarning: 'A temperature ≥ 37.3 °C is recorded as fever; see a doctor and tell your community.',
    submit: 'Check in', done: 'Checked in',
  },
  symptoms: { cough: 'Cough', fatigue: 'Fatigue', sore_throat: 'Sore throat', shortness_of_breath: 'Short of breath', diarrhoea: 'Diarrhoea', loss_of_taste: 'Loss of taste/smell' },
  code: {
    title: 'My health code', notApplied: 'No health code yet', applyNow: 'Apply now', refreshIn: 'QR refreshes in {seconds} s',
    since: 'Since {date}', toGreen: '{n} more daily check-ins in a row to turn green', reasons: 'Why this colour', noReasons: 'Nothing against you',
    checkIn: 'Check in today', checkedInToday: 'Checked in today', appeal: 'Disagree? Appeal', history: 'Recent days',
  },
  holdSources: {
    rule: 'Check-in rule', isolation: 'Isolation', fever: 'Fever', key_person: 'Key person', co_travel: 'Co-travel', imported_list: 'Data comparison',
    checkpoint: 'Checkpoint', self_report: 'Self-report', declaration: 'Declaration',
  },
  appeal: {
    title: 'Appeal', intro: 'An appeal becomes a 12345 work order; the responsible unit checks and answers.', hold: 'Appeal against', reason: 'Reason',
    reasonHint: 'Explain, e.g. the date your isolation ended', reasonRequired: 'Give a reason', submit: 'Submit appeal',
    doneTitle: 'Appeal submitted', done: 'Order {id}; you will be notified of the result.',
  },
  household: {
    title: 'Household', empty: 'No members yet', add: 'Add a member', addHint: 'Register elderly relatives or children without a phone; you apply and check in for them.',
    submit: 'Add', added: 'Added', actingFor: 'Acting for', self: 'Myself',
  },
  relations: { self: 'Self', spouse: 'Spouse', child: 'Child', parent: 'Parent', grandparent: 'Grandparent', grandchild: 'Grandchild', sibling: 'Sibling', other: 'Other' },
  selfReport: {
    title: 'Resident self-report', travel: 'Recent travel', placeHint: 'City or region', addTravel: 'Add a trip', hardship: 'Hardship',
    hardshipHint: 'e.g. need blood-pressure medicine, cannot walk far', done: 'Report submitted',
  },
  personTypes: { permanent: 'Permanent', migrant_worker: 'Migrant worker', returnee: 'Returnee', visitor: 'Visitor' },
  isolation: { none: 'Not isolated', home: 'Home isolation', centralized: 'Centralized isolation' },
  hardships: { medicine: 'Medicine', daily_necessities: 'Daily necessities', medical_visit: 'Medical visit', other: 'Other' },
  tipoff: {
    title: 'Report a lead', intro: 'Report epidemic leads truthfully; you may stay anonymous. Each report becomes a 12345 work order.', anonymous: 'Anonymous',
    anonymousHint: 'Your identity is not recorded', visitorAnonymous: 'Reports without sign-in are anonymous', photoTooLarge: 'The photo must be under 5 MB',
    photoType: 'Only JPG or PNG photos', photoUploadFailed: 'Photo upload failed ({status})', doneTitle: 'Reported', done: 'Number {id}. Thank you!',
  },
  tipoffCategories: {
    no_fever_checkpoint: 'No fever checkpoint', fever_person: 'Fever person', gathering: 'Gathering', wuhan_returnee: 'Returnee from Wuhan',
    hubei_vehicle: 'Vehicle back from Hubei', rumour: 'Rumour', price_gouging: 'Price gouging', fake_supplies: 'Fake epidemic supplies',
    used_mask_collection: 'Collecting used masks', wild_game: 'Selling wild game',
  },
  cotravel: {
    title: 'Co-travel query', intro: 'Enter the date and train or flight number to check whether you travelled with a confirmed case.', numberHint: 'e.g. G1234, CA1234',
    query: 'Check', save: 'Save this trip and alert me', result: 'Result', noMatch: 'No confirmed case on this trip', source: 'Source',
    guidance: 'You may have travelled with a confirmed case: report to your community at once and stay at home; see a doctor if unwell.', registerMe: 'Register me as a possible close contact',
    registeredTitle: 'Registered', registered: 'Community staff will contact you; keep your phone on and stay at home.', saved: 'My saved trips',
    matched: 'At risk', clear: 'No risk', savedDone: 'Saved', fillFirst: 'Fill in the date and number first', carriageN: 'carriage {n}',
  },
  travelModes: { flight: 'Flight', train: 'Train', bus: 'Bus', ship: 'Ship', metro: 'Metro', taxi: 'Taxi' },
  risk: { high: 'High risk: same row/carriage', medium: 'Medium risk: nearby seats', low: 'Low risk: same service', same_vehicle: 'Same vehicle', same_carriage: 'Same carriage', nearby_rows: 'Nearby rows' },
  help: {
    title: 'Ask for help', intro: 'Cannot go out, out of medicine or food? Leave a message; your community and 12345 will contact you.', messageHint: 'e.g. my elderly father is out of blood-pressure medicine',
    done: 'Message sent', mine: 'My messages', reply: 'Reply',
  },
  news: {
    title: 'News', article: 'Article', empty: 'No news yet', more: 'More',
    categories: { all: 'All', announcement: 'Announcements', measure: 'Measures', knowledge: 'Prevention', rumour_rebuttal: 'Rumour rebuttals' },
  },
  notifications: { title: 'Messages', empty: 'No messages' },
  scan: {
    title: 'Checkpoint scanner', byQr: 'QR code', byId: 'ID card', startCamera: 'Open camera', stopCamera: 'Close', fromImage: 'Read QR from a picture',
    idHint: 'Card reader or typed', method: 'Method', typed: 'Typed', idCard: 'Card reader', direction: 'Direction', in: 'In', out: 'Out',
    entrance: 'Entrance', plate: 'Plate', register: 'Register', today: 'Today', noCheckpoint: 'No checkpoint assigned; contact your community head',
    cameraFailed: 'Cannot open the camera: {detail}', noQrInImage: 'No QR code found in the picture', savedOffline: 'Offline: saved on this device, sent when back online',
    pending: '{n} scans waiting to upload; tap to send', sentPending: 'Sent {n} offline scans', clearsIn: 'Back in {seconds} s; tap to return now',
    decision: { pass: 'PASS', stop: 'STOP' },
  },
  stats: { scans: 'Scans', passes: 'Passed', stops: 'Stopped', fevers: 'Fevers', unique_persons: 'People', ins: 'In', outs: 'Out' },
  community: {
    title: 'Community', residents: 'Residents', keyPersons: 'Key persons', allTypes: 'All types', allFlags: 'All', fever: 'Fever',
    isolation: 'Isolated', hardship: 'Hardship', allCategories: 'All categories', active: 'Active', stale: 'Not updated today', released: 'Released',
    noUpdateToday: 'No update today', updated: 'Updated', releaseOn: 'release {date}', handleHardship: 'Handle the request',
    handledNote: 'Handled by the community', newKeyPerson: 'Register a key person',
  },
  keyPersonCategories: { outside_city: 'From outside the city', hubei: 'From Hubei', wuhan: 'From Wuhan', close_contact: 'Close contact', fever_no_contact: 'Fever, no contact' },
  keyPersonSources: { self_report: 'Self-report', checkpoint: 'Checkpoint', tip_off: 'Tip-off', co_travel: 'Co-travel', import: 'Data comparison', community: 'Community' },
  measures: { home_isolation: 'Home isolation', centralized_isolation: 'Centralized isolation', medical_observation: 'Medical observation', hospital: 'Hospital' },
  keyPerson: {
    title: 'Key person', start: 'Start', plannedRelease: 'Planned release', status: 'Status', followUp: "Today's follow-up", saveFollowUp: 'Save follow-up',
    release: 'Release', releaseConfirm: 'Release this person from control measures?', history: 'Follow-ups',
  },
  hotline: {
    title: '12345 work orders', newCall: 'New call', create: 'Create order', overdue: 'Overdue', due: 'due {at}',
    queues: { received: 'To dispatch', dispatched: 'Dispatched', handling: 'Handling', replied: 'Replied', overdue: 'Overdue', closed: 'Closed' },
  },
  orderKinds: { consultation: 'Consultation', report: 'Report', help_request: 'Help request', complaint: 'Complaint', tip_off: 'Tip-off', help_message: 'Help message', hardship: 'Hardship', appeal: 'Code appeal' },
  orderStates: { received: 'Received', dispatched: 'Dispatched', handling: 'Handling', replied: 'Replied', revisited: 'Revisited', closed: 'Closed', open: 'Open', handled: 'Handled' },
  departments: {
    public_security: 'Public security', health: 'Health commission', market_regulation: 'Market regulation', transport: 'Transport', civil_affairs: 'Civil affairs',
    community: 'Community', propaganda: 'Publicity', agriculture: 'Agriculture',
  },
  order: {
    title: 'Work order', id: 'Order', status: 'Status', reply: 'Reply', act: 'Act', note: 'Note', noteHint: 'What was done, or the reply',
    dispatch: 'Dispatch', startHandling: 'Start handling', sendReply: 'Reply to citizen', revisit: 'Revisit', close: 'Close', closedNote: 'Closed', timeline: 'Timeline',
  },
  dashboard: {
    title: 'Epidemic command dashboard', city: 'Sanmenxia', keyPersonMap: 'Key persons by county', byArea: 'Key persons by area and category', byCategory: 'Key persons by category',
    trend: 'New key persons per day', codes: 'Health codes by colour', traffic: 'Checkpoint traffic today', keyPersonList: 'Key-person list',
    keyPersons: 'Key persons', newKeyPersons: 'New', more: 'More', fewer: 'Fewer',
  },
}
