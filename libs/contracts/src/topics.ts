/** Topic names. One command topic and one event topic per bounded context. */
export const topics = {
  commands: (context: string) => `${context}.commands`,
  events: (context: string) => `${context}.events`,
  /** Where unparseable or invalid messages from `source` go, with the reason in a header. */
  deadLetters: (source: string) => `${source}.dead-letters`,
} as const;
