// GB 11643 resident ID numbers: 17 digits + ISO 7064 MOD 11-2 check character, a birth date in the middle.
// Checked on the phone for a quick hint; the server checks again and is the authority.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export function checkCharacter(first17) {
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * WEIGHTS[i], 0)
  return CHECK[sum % 11]
}

export function isValidIdNumber(value) {
  const text = String(value || '').toUpperCase()
  if (!/^\d{17}[\dX]$/.test(text)) return false
  const year = Number(text.slice(6, 10))
  const month = Number(text.slice(10, 12))
  const day = Number(text.slice(12, 14))
  const date = new Date(Date.UTC(year, month - 1, day))
  if (year < 1900 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false
  return checkCharacter(text.slice(0, 17)) === text[17]
}
