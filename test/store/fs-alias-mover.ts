/**
 * Child process for fs-processes.test.ts: races other processes on one filesystem store.
 * argv: <storeRoot> <processId> <moves>. Prints {"casWon": boolean} as its last line.
 */
import { AliasConflictError, openStore } from '../../src/store/index';

async function main(): Promise<void> {
  const [root, id, moves] = process.argv.slice(2);
  const store = openStore(root);
  let casWon = false;
  try {
    await store.moveAlias('model_export', 'prod', 1 + (Number(id) % 2), { expected: 0, actor: `cas-${id}` });
    casWon = true;
  } catch (err) {
    if (!(err instanceof AliasConflictError)) throw err;
  }
  // The free-for-all moves never go back to v0: a process that starts late (a loaded machine) must not
  // see prod at v0 again and legitimately win its CAS from v0 a second time.
  for (let i = 0; i < Number(moves); i++) {
    await store.moveAlias('model_export', 'prod', 1 + (i % 2), { actor: `proc-${id}-${i}` });
  }
  console.log(JSON.stringify({ casWon }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
