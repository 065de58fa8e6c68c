// 12345 real cases (issue 17: extensions, joint handling, urgent orders, texts, reply photos, knowledge base), merged under `cases`.
export default {
  urgent: 'Urgent', flagUrgent: 'Flag urgent', urgentHint: 'An urgent order has the urgent time limit (a reply within 4 hours of receipt)',
  extension: {
    title: 'Extension', pending: 'Extension request waiting: {hours} h · {reason}', granted: 'Extended {n} time(s)', ask: 'Ask for more time', hours: 'More hours', reason: 'Reason',
    approve: 'Approve extension', refuse: 'Refuse extension', refuseNote: 'Why it is refused', asked: 'Extension requested; the operator decides',
  },
  assist: {
    title: 'Assisting units', lead: 'Lead unit', add: 'Add an assisting unit', pick: 'Choose the assisting unit', waiting: 'waiting', answered: 'answered', reply: 'Answer the lead unit', replyHint: "The assisting unit's answer to the lead unit",
    waitingFor: 'The lead unit replies to the citizen when every assisting unit has answered: {units}', tab: 'Assisting',
  },
  photos: { title: 'Photos of the result', add: 'Add a photo', tooBig: 'A photo may be at most 5 MB', uploaded: 'Photo uploaded' },
  answers: {
    menu: 'Knowledge base', title: 'Knowledge base · standard answers', search: 'Search standard answers', use: 'Use a standard answer', pick: 'Pick a standard answer for the reply', none: 'No standard answer matches',
    new: 'New standard answer', edit: 'Edit', remove: 'Delete', removeConfirm: 'Delete this standard answer?', titleField: 'Title', body: 'Answer', category: 'For type', tags: 'Keywords (space separated)', anyCategory: 'Every type',
  },
}
