// Presets in SQLite: statements prepared once, every change its own transaction (saved at once,
// safe against a kill), deletes soft so they can be undone.
import type { Db } from '../db/database.ts';
import type { Preset, PresetBody } from '../api/domains/presets.ts';
import { ProbeDeckError } from '../util/is.ts';
import { BUILTIN_PRESETS } from './builtins.ts';
import { DEFAULT_FILTER_PRECISION, validateBody, validateName } from './schema.ts';

/** The source kinds a preset can be the default for: those the built-ins cover. */
export const SOURCE_KINDS: readonly string[] = [...new Set(BUILTIN_PRESETS.flatMap((b) => b.sourceKinds))];

/** A row of the presets table, as the migrations lay it out. */
export interface PresetRow {
  id: number;
  name: string;
  builtin: number;
  body: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

const toPreset = (r: PresetRow): Preset => ({
  id: r.id,
  name: r.name,
  builtin: r.builtin === 1,
  body: storedBody(r.body),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deletedAt: r.deleted_at
});

/** A body as saved: valid then, so only the fields added since take their defaults (those validateBody gives). */
function storedBody(text: string): PresetBody {
  const body = JSON.parse(text) as PresetBody;
  body.pipeline.filter.precision ??= DEFAULT_FILTER_PRECISION;
  return body;
}

export type PresetsRepo = ReturnType<typeof presetsRepo>;

/** `base` + `suffix` within a name's 80 characters: the base gives way, the suffix is what tells copies apart. */
const withSuffix = (base: string, suffix: string) => `${base.slice(0, 80 - suffix.length).trimEnd()}${suffix}`;

export function presetsRepo(db: Db) {
  const s = {
    all: db.prepare<[], PresetRow>('SELECT * FROM presets WHERE deleted_at IS NULL ORDER BY builtin DESC, name COLLATE NOCASE'),
    allWithDeleted: db.prepare<[], PresetRow>('SELECT * FROM presets ORDER BY builtin DESC, name COLLATE NOCASE'),
    byId: db.prepare<[number], PresetRow>('SELECT * FROM presets WHERE id = ?'),
    byName: db.prepare<[string], PresetRow>('SELECT * FROM presets WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL'),
    insert: db.prepare<[string, number, string, string, string]>('INSERT INTO presets (name, builtin, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
    setBody: db.prepare<[string, string, number]>('UPDATE presets SET body = ?, updated_at = ? WHERE id = ?'),
    setName: db.prepare<[string, string, number]>('UPDATE presets SET name = ?, updated_at = ? WHERE id = ?'),
    setDeleted: db.prepare<[string | null, number]>('UPDATE presets SET deleted_at = ? WHERE id = ?'),
    setDefault: db.prepare<[string, number]>('INSERT INTO preset_defaults (source_kind, preset_id) VALUES (?, ?) ON CONFLICT(source_kind) DO UPDATE SET preset_id = excluded.preset_id'),
    defaults: db.prepare<[], { source_kind: string; preset_id: number }>('SELECT source_kind, preset_id FROM preset_defaults'),
    markUsed: db.prepare<[string, number, string]>(
      'INSERT INTO preset_last_used (source_key, preset_id, used_at) VALUES (?, ?, ?) ON CONFLICT(source_key) DO UPDATE SET preset_id = excluded.preset_id, used_at = excluded.used_at'
    ),
    lastUsed: db.prepare<[string], PresetRow>(
      'SELECT p.* FROM preset_last_used u JOIN presets p ON p.id = u.preset_id WHERE u.source_key = ? AND p.deleted_at IS NULL'
    )
  };
  const now = () => new Date().toISOString();
  // Every write is BEGIN IMMEDIATE: a deferred transaction that reads and then writes cannot wait
  // for another process's lock (SQLite answers SQLITE_BUSY at once), an immediate one waits.
  const tx = <A extends unknown[], R>(fn: (...a: A) => R) => {
    const t = db.transaction(fn);
    return (...a: A): R => t.immediate(...a);
  };

  const get = (id: number): Preset => {
    const r = s.byId.get(id);
    if (!r) throw new ProbeDeckError('NOT_FOUND', `There is no preset with id ${id}`);
    return toPreset(r);
  };
  const editable = (id: number, what: string): Preset => {
    const p = get(id);
    if (p.builtin) throw new ProbeDeckError('BUILTIN_PRESET', `"${p.name}" is built in and cannot be ${what}: duplicate it first`);
    if (p.deletedAt) throw new ProbeDeckError('DELETED_PRESET', `"${p.name}" is deleted: restore it first`);
    return p;
  };
  const freeName = (name: string, except?: number) => {
    const clash = s.byName.get(name);
    if (clash && clash.id !== except) throw new ProbeDeckError('NAME_TAKEN', `A preset named "${clash.name}" already exists`);
  };

  const create = tx((name: string, body: PresetBody, builtin = false): Preset => {
    const n = validateName(name);
    freeName(n);
    const t = now();
    const id = Number(s.insert.run(n, builtin ? 1 : 0, JSON.stringify(validateBody(body)), t, t).lastInsertRowid);
    return get(id);
  });

  // Built-ins are (re)created on open, so a new version's built-ins appear in old databases too.
  db.transaction(() => {
    for (const b of BUILTIN_PRESETS) {
      if (!s.byName.get(b.name)) create(b.name, b.body, true);
      const id = s.byName.get(b.name)!.id;
      for (const kind of b.sourceKinds) if (!s.defaults.all().some((d) => d.source_kind === kind)) s.setDefault.run(kind, id);
    }
  }).immediate();

  /**
   * The preset a new source of this kind opens with. A deleted default stays chosen (restored, it is
   * the default again) but stands aside meanwhile for the kind's built-in.
   */
  const defaultFor = (kind: string): Preset | null => {
    const chosen = s.defaults.all().find((d) => d.source_kind === kind);
    const p = chosen ? get(chosen.preset_id) : null;
    if (p && !p.deletedAt) return p;
    const builtin = BUILTIN_PRESETS.find((b) => b.sourceKinds.includes(kind));
    const r = builtin ? s.byName.get(builtin.name) : undefined;
    return r && r.builtin === 1 ? toPreset(r) : null;
  };

  return {
    list: (includeDeleted = false) => (includeDeleted ? s.allWithDeleted : s.all).all().map(toPreset),
    get,
    create: (name: string, body: unknown) => create(name, validateBody(body)),
    update: tx((id: number, body: unknown): Preset => {
      editable(id, 'edited');
      s.setBody.run(JSON.stringify(validateBody(body)), now(), id);
      return get(id);
    }),
    rename: tx((id: number, name: string): Preset => {
      editable(id, 'renamed');
      const n = validateName(name);
      freeName(n, id);
      s.setName.run(n, now(), id);
      return get(id);
    }),
    /** `name`, or `name (2)`, `name (3)`… : the first no preset has. A name numbered already counts on ("X (2)" → "X (3)", not "X (2) (2)"). */
    freeNameLike: (name: string): string => {
      const n = validateName(name);
      const numbered = /^(.*\S) \((\d+)\)$/.exec(n);
      const [base, from] = numbered ? [numbered[1], Number(numbered[2]) + 1] : [n, 2];
      let free = n;
      for (let i = from; s.byName.get(free); i++) free = withSuffix(base, ` (${i})`);
      return free;
    },
    duplicate: tx((id: number, name?: string): Preset => {
      const p = get(id);
      let n = name ?? withSuffix(p.name, ' (copy)');
      for (let i = 2; !name && s.byName.get(n); i++) n = withSuffix(p.name, ` (copy ${i})`);
      return create(n, p.body);
    }),
    remove: tx((id: number): Preset => {
      editable(id, 'deleted');
      s.setDeleted.run(now(), id);
      return get(id);
    }),
    restore: tx((id: number): Preset => {
      const p = get(id);
      if (!p.deletedAt) return p;
      freeName(p.name, id);
      s.setDeleted.run(null, id);
      return get(id);
    }),
    setDefault: (sourceKind: string, id: number) => {
      // A default for a kind no source has would never be used, and would stay in the database.
      if (!SOURCE_KINDS.includes(sourceKind)) throw new ProbeDeckError('INVALID_PARAMETER', `a default is for one of the source kinds ${SOURCE_KINDS.join(', ')}; got "${sourceKind}"`);
      if (get(id).deletedAt) throw new ProbeDeckError('DELETED_PRESET', 'a deleted preset cannot be a default');
      s.setDefault.run(sourceKind, id);
    },
    defaultFor,
    /** The preset each source kind opens with, as defaultFor says (a deleted default's built-in stand-in included). */
    defaults: (): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const d of s.defaults.all()) {
        const p = defaultFor(d.source_kind);
        if (p) out[d.source_kind] = p.id;
      }
      return out;
    },
    markUsed: (sourceKey: string, id: number) => {
      get(id);
      s.markUsed.run(sourceKey, id, now());
    },
    lastUsed: (sourceKey: string): Preset | null => {
      const r = s.lastUsed.get(sourceKey);
      return r ? toPreset(r) : null;
    }
  };
}
