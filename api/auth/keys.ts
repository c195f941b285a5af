/**
 * API keys. A token is `pcmbn_` + 32 random bytes in base64url, shown once when the key is made; the warehouse
 * keeps only its SHA-256 (hex) in `api_keys`, with the role, the unit the key is scoped to, a label and dates.
 * Requests send it as `Authorization: Bearer <token>`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { vietnamDay } from '../../schema/periods.ts';
import type { ApiKeysTable, Role } from '../../schema/tables.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { Principal } from '../context.ts';

const TOKEN = /^pcmbn_[A-Za-z0-9_-]{43}$/;
const BEARER = /^Bearer +(\S+)\s*$/i;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewKey {
  role: Role;
  unitId: number;
  label?: string | null;
  /** The last day (YYYY-MM-DD, Vietnam time) the key works; none: no expiry. */
  expires?: string | null;
}

export interface CreatedKey {
  keyId: string;
  token: string;
}

/** The first instant after a day in Vietnam (UTC+7, no daylight saving): a key "expiring 2026-12-31" works all that day. */
export function endOfVietnamDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00+07:00`) + 24 * 3600 * 1000);
}

export async function createApiKey(w: Warehouse, k: NewKey): Promise<CreatedKey> {
  const token = `pcmbn_${randomBytes(32).toString('base64url')}`;
  const keyId = randomBytes(5).toString('hex');
  await w.db
    .insertInto('api_keys')
    .values({
      key_id: keyId,
      token_hash: hashToken(token),
      role: k.role,
      unit_id: k.unitId,
      label: k.label ?? null,
      created_at: new Date().toISOString(),
      expires_at: k.expires ? endOfVietnamDay(k.expires).toISOString() : null,
      revoked_at: null,
    })
    .execute();
  // After the insert: a request in between may have read the keys as they were.
  keyCache.delete(w);
  return { keyId, token };
}

export type KeyRow = Omit<ApiKeysTable, 'token_hash'> & { unit_ref: string; unit_name: string };

export async function listApiKeys(w: Warehouse): Promise<KeyRow[]> {
  return w.db
    .selectFrom('api_keys')
    .innerJoin('units', 'units.unit_id', 'api_keys.unit_id')
    .select([
      'key_id',
      'role',
      'api_keys.unit_id',
      'label',
      'created_at',
      'expires_at',
      'revoked_at',
      'units.ref as unit_ref',
      'units.name as unit_name',
    ])
    .orderBy('created_at')
    .orderBy('key_id')
    .execute();
}

/** Revokes a key; returns false when there is no such key, the earlier revocation time when it was revoked already. */
export async function revokeApiKey(
  w: Warehouse,
  keyId: string,
): Promise<{ found: false } | { found: true; revokedAt: string; already: boolean }> {
  const row = await w.db.selectFrom('api_keys').select(['revoked_at']).where('key_id', '=', keyId).executeTakeFirst();
  if (!row) return { found: false };
  if (row.revoked_at) return { found: true, revokedAt: row.revoked_at, already: true };
  const revokedAt = new Date().toISOString();
  await w.db.updateTable('api_keys').set({ revoked_at: revokedAt }).where('key_id', '=', keyId).execute();
  // After the update: a request in between may have cached the key as it was.
  keyCache.delete(w);
  return { found: true, revokedAt, already: false };
}

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Checks an `Authorization` header value. Revoked, expired, unknown and malformed keys all fail, with a reason. */
type StoredKey = Pick<ApiKeysTable, 'key_id' | 'role' | 'unit_id' | 'expires_at' | 'revoked_at'>;

/**
 * Every key by token hash, read once per warehouse handle: a few hundred rows at most. Keys change only through
 * this module (create, revoke) in the process holding the warehouse (the file lock keeps other processes out),
 * which drops the map: so no request, not even one with an unknown token, needs SQL to authenticate. Expiry is
 * still checked on every request.
 */
const keyCache = new WeakMap<Warehouse, Promise<Map<string, StoredKey>>>();

function findKey(w: Warehouse, tokenHash: string): Promise<StoredKey | undefined> {
  let keys = keyCache.get(w);
  if (!keys) {
    keys = w.db
      .selectFrom('api_keys')
      .select(['token_hash', 'key_id', 'role', 'unit_id', 'expires_at', 'revoked_at'])
      .execute()
      .then((rows) => new Map(rows.map(({ token_hash, ...key }) => [token_hash, key])));
    keyCache.set(w, keys);
    // A failed read (a closed warehouse) is not kept: the next request tries again.
    keys.catch(() => keyCache.get(w) === keys && keyCache.delete(w));
  }
  return keys.then((m) => m.get(tokenHash));
}

export async function authenticate(w: Warehouse, header: string, now = new Date()): Promise<Authentication> {
  const token = BEARER.exec(header)?.[1];
  if (!token || !TOKEN.test(token)) {
    return {
      ok: false,
      reason: 'malformed Authorization header: expected "Bearer pcmbn_…" with a token from `pcmbn keys create`',
    };
  }
  const key = await findKey(w, hashToken(token));
  if (!key) return { ok: false, reason: 'unknown API key' };
  if (key.revoked_at)
    return { ok: false, reason: `API key ${key.key_id} was revoked on ${vietnamDay(new Date(key.revoked_at))}` };
  if (key.expires_at && Date.parse(key.expires_at) <= now.getTime()) {
    return {
      ok: false,
      reason: `API key ${key.key_id} expired after ${vietnamDay(new Date(Date.parse(key.expires_at) - 1))}`,
    };
  }
  return { ok: true, principal: { keyId: key.key_id, role: key.role, unitId: key.unit_id } };
}
