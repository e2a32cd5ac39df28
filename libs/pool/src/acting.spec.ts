import { actors, type Acting } from './acting';
import { encodePool } from './codec';
import { emptyPool, type PoolState } from './model';
import * as t from './transitions';

const HOUR = 3_600_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 5, 1, 0, minutes));

type Start = 'finished' | 'testing' | 'held by alice' | 'held by its build';

/** c1, got by build b1; held by alice (with her token) or by its build (a call without a token). */
function poolAt(start: Start): PoolState {
  const state = emptyPool();
  t.addCluster('c1', 'r')(state, at(0));
  if (start === 'finished') return state;
  t.getVacant({ build: 'b1', job: 'e2e', leaseMs: HOUR })(state, at(1));
  if (start === 'held by alice') t.holdCluster('c1', HOUR, { actor: actors.user('alice') })(state, at(2));
  if (start === 'held by its build') t.holdCluster('c1', HOUR, { actor: actors.anonymous, build: 'b1' })(state, at(2));
  return state;
}

const open = actors.open;
const anonymous = actors.anonymous;
const alice = actors.user('alice');
const bob = actors.user('bob');
const ops = actors.admin('ops');

const commands = {
  finishtest: (by: Acting) => t.finishTest('c1', by),
  holdcluster: (by: Acting) => t.holdCluster('c1', HOUR, by),
  releasecluster: (by: Acting) => t.releaseCluster('c1', by),
};

/** What each caller may do: [call, the cluster before, who and what they name, the state after (and the hold's user) or the refusal]. */
const table: Array<[keyof typeof commands, Start, Acting, string]> = [
  // Without authentication: the original rules.
  ['finishtest', 'testing', { actor: open }, 'finished'],
  ['finishtest', 'testing', { actor: open, build: 'b2' }, 'HOLDER_MISMATCH'],
  ['holdcluster', 'testing', { actor: open, user: 'mallory' }, 'held by mallory'],
  ['holdcluster', 'testing', { actor: open }, 'held by its build'],
  ['releasecluster', 'held by alice', { actor: open }, 'finished'],
  ['releasecluster', 'held by alice', { actor: open, user: 'mallory' }, 'finished'],
  // No token with auth on: only the lease or hold of the build it names, never as a user.
  ['finishtest', 'testing', { actor: anonymous }, 'BUILD_REQUIRED'],
  ['finishtest', 'finished', { actor: anonymous }, 'BUILD_REQUIRED'],
  ['finishtest', 'testing', { actor: anonymous, build: 'b2' }, 'HOLDER_MISMATCH'],
  ['finishtest', 'testing', { actor: anonymous, build: 'b1' }, 'finished'],
  ['holdcluster', 'testing', { actor: anonymous, user: 'mallory' }, 'USER_NEEDS_TOKEN'],
  ['holdcluster', 'testing', { actor: anonymous, build: 'b1', user: 'mallory' }, 'USER_NEEDS_TOKEN'],
  ['holdcluster', 'testing', { actor: anonymous }, 'BUILD_REQUIRED'],
  ['holdcluster', 'testing', { actor: anonymous, build: 'b2' }, 'HOLDER_MISMATCH'],
  ['holdcluster', 'testing', { actor: anonymous, build: 'b1' }, 'held by its build'],
  ['releasecluster', 'held by alice', { actor: anonymous }, 'FORBIDDEN'],
  ['releasecluster', 'held by alice', { actor: anonymous, build: 'b1' }, 'FORBIDDEN'],
  ['releasecluster', 'held by alice', { actor: anonymous, user: 'alice' }, 'USER_NEEDS_TOKEN'],
  ['releasecluster', 'held by its build', { actor: anonymous }, 'BUILD_REQUIRED'],
  ['releasecluster', 'held by its build', { actor: anonymous, build: 'b2' }, 'HOLDER_MISMATCH'],
  ['releasecluster', 'held by its build', { actor: anonymous, build: 'b1' }, 'finished'],
  // A non-admin token: as its own identity only.
  ['finishtest', 'testing', { actor: alice }, 'finished'],
  ['finishtest', 'testing', { actor: alice, build: 'b2' }, 'HOLDER_MISMATCH'],
  ['holdcluster', 'testing', { actor: alice }, 'held by alice'],
  ['holdcluster', 'testing', { actor: alice, user: 'alice' }, 'held by alice'],
  ['holdcluster', 'testing', { actor: bob, user: 'mallory' }, 'USER_MISMATCH'],
  ['releasecluster', 'held by alice', { actor: alice }, 'finished'],
  ['releasecluster', 'held by alice', { actor: bob }, 'FORBIDDEN'],
  ['releasecluster', 'held by alice', { actor: bob, user: 'alice' }, 'USER_MISMATCH'],
  ['releasecluster', 'held by its build', { actor: bob }, 'finished'],
  // An admin token: for anyone.
  ['finishtest', 'testing', { actor: ops }, 'finished'],
  ['holdcluster', 'testing', { actor: ops }, 'held by ops'],
  ['holdcluster', 'testing', { actor: ops, user: 'mallory' }, 'held by mallory'],
  ['releasecluster', 'held by alice', { actor: ops }, 'finished'],
  ['releasecluster', 'held by alice', { actor: ops, build: 'b2' }, 'HOLDER_MISMATCH'],
];

describe('who may end, hold and release a lease or a hold, decided inside the command', () => {
  it.each(table)('%s of a cluster %s, by %j → %s', (call, start, by, expected) => {
    const state = poolAt(start);
    const before = encodePool(state);
    if (/^[A-Z_]+$/.test(expected)) {
      expect(() => commands[call](by)(state, at(30))).toThrow(expect.objectContaining({ code: expected }));
      expect(encodePool(state)).toBe(before); // a refused command changes nothing
      return;
    }
    commands[call](by)(state, at(30));
    const c1 = state.clusters.get('c1')!;
    const after = c1.state === 'held' ? `held by ${c1.holder?.user ?? 'its build'}` : c1.state;
    expect(after).toBe(expected);
    if (c1.state === 'held') expect(c1.holder?.build).toBe('b1'); // a hold keeps the build that got the cluster
  });

  it.each([
    ['BUILD_REQUIRED', 'invalid', { actor: anonymous }, 'finishtest of cluster c1 without a token must name the build that got the cluster: add build=<the build id from getvacant, $BUILD_ID in a Prow job> (the shell client sends it), or send \'Authorization: Bearer <token>\''],
    ['USER_NEEDS_TOKEN', 'forbidden', { actor: anonymous, build: 'b1', user: 'mallory' }, "user=mallory needs a token: without one a hold belongs to the build that holds the cluster. Leave out user= and name the build with build=, or send 'Authorization: Bearer <token>' to act as your token's identity"],
    ['USER_MISMATCH', 'forbidden', { actor: bob, user: 'mallory' }, 'this token acts as bob, not as mallory: leave out user= (it defaults to bob), or use an admin token to act for someone else'],
  ] as const)('%s is a %s refusal that says what to do', (code, kind, by, message) => {
    const command = code === 'BUILD_REQUIRED' ? commands.finishtest(by) : commands.holdcluster(by);
    expect(() => command(poolAt('testing'), at(30))).toThrow(expect.objectContaining({ code, kind, message }));
  });
});
