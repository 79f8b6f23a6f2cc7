/**
 * Fixed local ports of the `npm start` stack. Test runs do not use fixed ports: each run starts its
 * own throwaway broker and database on free ports (see libs/testing), so several runs (several
 * developers, or CI beside a developer) never disturb each other or a running local stack.
 */
export const LOCAL_STACK = {
  dev: { instance: 'dev', kafkaPort: 9092, kafkaControllerPort: 9093, postgresPort: 54320 },
} as const;
