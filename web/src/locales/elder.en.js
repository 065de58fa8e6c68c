// Elder card (issue 17: a code for everyone): kept apart from en.js; merged under `elder`.
export default {
  menu: 'Elder card', title: 'Elder card (printed health code)', tab: 'Elder card',
  intro: 'Print a code for a family member without a phone. The card holds only the QR and the masked name, never a colour: the gate reads today\'s colour with the ID card. Revoke a lost card here and print a new one.',
  issue: 'Make and print an elder card', issued: 'Made', print: 'Print', cards: 'Cards issued', revoke: 'Revoke', revoked: 'Revoked',
  revokeConfirm: 'A revoked card is refused at every gate. Revoke it?', revokeReason: 'Revoked by the household head (lost or reprinted)',
  validUntil: 'Valid until {date}', colourAtGate: 'The colour is today\'s, checked at the gate', showId: 'Show with the holder\'s ID card',
  cardCode: 'Elder card', cardCodeHint: 'Scan or type the elder card', idHint: 'Scan or type the holder\'s ID number', check: 'Check',
  refused: 'Refused', reasons: { id_mismatch: 'The ID card is not the card holder\'s', revoked: 'The card is revoked', unknown_card: 'No such card', expired: 'The card has expired', 'bad signature': 'Not a valid card', no_code: 'No health code yet' },
}
