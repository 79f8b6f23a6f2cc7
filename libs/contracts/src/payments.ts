/**
 * The payments context's public contract: its command payload schemas (what arrives on
 * `payments.commands`) and the events it publishes on `payments.events` that other contexts consume.
 */
export {};
