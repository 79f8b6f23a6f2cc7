/** Luhn (mod 10) over a string of digits; false for anything that is not only digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    // Double every second digit counting from the rightmost (the check digit is not doubled).
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The check digit that makes `body` + digit pass Luhn (for building test numbers). */
export function luhnCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit += 1) if (luhnValid(`${body}${digit}`)) return String(digit);
  throw new Error('luhnCheckDigit: body must be digits');
}
