/**
 * The identity context's public contract: its command payload schemas (what arrives on
 * `identity.commands`) and the events it publishes on `identity.events` that other contexts consume.
 */
export {};
