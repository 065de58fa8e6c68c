// Lab results (issue 17): kept apart from en.js; merged under `labs`.
export default {
  menu: 'Lab results',
  title: 'Lab results',
  upload: 'Upload a file', file: 'Result file (CSV)', send: 'Upload and import', pickFile: 'Choose a file first',
  fileHint: 'One sample per line: sample id, ID number, result (positive/negative), sampling time (e.g. 2020-02-10 08:30), optionally the test time. The file is imported only when every line is right; otherwise every problem is listed by line and nothing is written. Uploading the same file again records nothing twice.',
  report: 'Import report', status: 'Status', states: { awaiting_upload: 'Waiting for the file', uploaded: 'Uploaded, checking', imported: 'Imported', rejected: 'Not imported (errors)' },
  imported: '{rows} lines: {added} new, {already} recorded before; {positives} positive, {released} released',
  uploads: 'Uploads',
  one: 'One result', sampleId: 'Sample id', idNumber: 'ID number', idRule: 'Enter the 18-character ID number', result: 'Result', sampledAt: 'Sampled at', required: 'Required',
  record: 'Record', done: 'Recorded', recorded: 'Sample {sample} recorded.', already: 'Sample {sample} was recorded before; nothing written again.',
  release: 'Negatives since the positive: {counted} of {required}.', released: 'Release criteria met: the positive-test hold is lifted.',
  results: { title: 'Results', positive: 'Positive', negative: 'Negative' },
  more: 'Load more',
}
