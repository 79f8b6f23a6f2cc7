/**
 * Fixed local ports. The `npm start` stack and the throwaway stack that tests start for themselves
 * use different ports and folders, so tests never touch the data of a running local system.
 */
export const LOCAL_STACK = {
  dev: { instance: 'dev', kafkaPort: 9092, kafkaControllerPort: 9093, postgresPort: 54320 },
  test: { instance: 'test', kafkaPort: 19092, kafkaControllerPort: 19093, postgresPort: 54321 },
} as const;
