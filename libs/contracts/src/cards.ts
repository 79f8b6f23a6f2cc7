/**
 * The cards context's public contract: its command payload schemas (what arrives on
 * `cards.commands`) and the events it publishes on `cards.events` that other contexts consume.
 */
export {};
