/**
 * What a process's live heap gained between two V8 heap snapshots (`v8.writeHeapSnapshot`, taken
 * by the heap probe after its full collection when the bench runs with `--heap-snapshots DIR`),
 * grouped by what holds it: the bot's own per-conversation caches by class and the field or
 * variable that holds them, the connections, and V8's own structures (compiled code and its
 * metadata, hidden classes, the prototype users registry). The heap rows say by how much the heap
 * grew; this says what the growth is, so that "over target" comes with its reason in every run.
 *
 * An object is new when its snapshot id is not in the earlier snapshot (V8 keeps ids stable for
 * the life of a process). Its holder is found by walking its first strong retainer, in snapshot
 * order, up to {@link MAX_DEPTH} steps to an object of a class named in `owners`; an object no
 * named class holds is counted by what V8 says it is.
 */
import * as fs from 'node:fs';

/** The fields of a `.heapsnapshot` this reads. */
export interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface GrowthGroup {
  /** What holds it, e.g. "RecentMap held by TeamsUserIds.rereadable" or "V8: compiled code". */
  holder: string;
  bytes: number;
  objects: number;
}

/** Classes of the bot (and of Node) whose instances hold what grows with traffic. */
export const DEFAULT_OWNERS = [
  'RecentMap',
  'BoundedMap',
  'RateLimiter',
  'TeamsUserIds',
  'TurnClients',
  'ConversationTurns',
  'Socket',
  'Server',
  'Agent',
];

/** How far up the retainer chain a holder is looked for. */
const MAX_DEPTH = 12;

export function readHeapSnapshot(file: string): HeapSnapshot {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as HeapSnapshot;
}

interface Layout {
  nodeFields: number;
  type: number;
  name: number;
  id: number;
  selfSize: number;
  edgeCount: number;
  edgeFields: number;
  edgeType: number;
  edgeName: number;
  edgeTo: number;
  nodeTypes: string[];
  edgeTypes: string[];
}

function layoutOf(snapshot: HeapSnapshot): Layout {
  const { meta } = snapshot.snapshot;
  const field = (fields: string[], name: string) => {
    const at = fields.indexOf(name);
    if (at < 0) throw new Error(`heap snapshot without the ${name} field`);
    return at;
  };
  return {
    nodeFields: meta.node_fields.length,
    type: field(meta.node_fields, 'type'),
    name: field(meta.node_fields, 'name'),
    id: field(meta.node_fields, 'id'),
    selfSize: field(meta.node_fields, 'self_size'),
    edgeCount: field(meta.node_fields, 'edge_count'),
    edgeFields: meta.edge_fields.length,
    edgeType: field(meta.edge_fields, 'type'),
    edgeName: field(meta.edge_fields, 'name_or_index'),
    edgeTo: field(meta.edge_fields, 'to_node'),
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
  };
}

/** Edge types whose `name_or_index` is an index into the strings, not an element index. */
const NAMED_EDGES = new Set(['context', 'property', 'internal', 'shortcut']);

/** The heap that `after` holds and `before` did not, grouped by holder, largest first. */
export function heapGrowth(
  before: HeapSnapshot,
  after: HeapSnapshot,
  owners: readonly string[] = DEFAULT_OWNERS,
): GrowthGroup[] {
  const old = new Set<number>();
  {
    const l = layoutOf(before);
    for (let i = l.id; i < before.nodes.length; i += l.nodeFields) old.add(before.nodes[i]);
  }
  const l = layoutOf(after);
  const { nodes, edges, strings } = after;
  const count = nodes.length / l.nodeFields;
  const typeOf = (k: number) => l.nodeTypes[nodes[k * l.nodeFields + l.type]];
  const nameOf = (k: number) => strings[nodes[k * l.nodeFields + l.name]];
  const weak = l.edgeTypes.indexOf('weak');
  // The first strong retainer of each node, and the name of the edge it holds it by.
  const parent = new Int32Array(count).fill(-1);
  const parentEdge: string[] = new Array<string>(count);
  let edge = 0;
  for (let k = 0; k < count; k++) {
    const end = edge + nodes[k * l.nodeFields + l.edgeCount] * l.edgeFields;
    for (; edge < end; edge += l.edgeFields) {
      const type = edges[edge + l.edgeType];
      if (type === weak) continue;
      const to = edges[edge + l.edgeTo] / l.nodeFields;
      if (parent[to] !== -1 || to === k) continue;
      parent[to] = k;
      const name = edges[edge + l.edgeName];
      parentEdge[to] = NAMED_EDGES.has(l.edgeTypes[type]) ? strings[name] : `[${name}]`;
    }
  }
  const ownerNames = new Set(owners);
  const holderOf = (k: number): string => {
    const start = k;
    for (let depth = 0; depth < MAX_DEPTH && parent[k] !== -1; depth++) {
      const up = parent[k];
      if (typeOf(up) === 'object' && ownerNames.has(nameOf(up))) {
        const by = parent[up];
        if (by === -1) return nameOf(up);
        const via = parentEdge[up];
        // A field of an object, or a variable a closure keeps; `this` and symbols say nothing.
        if (via === 'this' || !/^[A-Za-z_$][\w$]*$/.test(via)) return nameOf(up);
        const holder =
          typeOf(by) === 'closure' || nameOf(by).startsWith('system /') ? via : `${nameOf(by)}.${via}`;
        return `${nameOf(up)} held by ${holder}`;
      }
      k = up;
    }
    return v8Category(start);
  };
  const v8Category = (k: number): string => {
    const type = typeOf(k);
    const name = nameOf(k);
    if (type === 'code') return 'V8: compiled code, bytecode, feedback and their metadata';
    if (
      name === 'system / WeakArrayList' &&
      parent[k] !== -1 &&
      nameOf(parent[k]) === 'system / PrototypeInfo'
    )
      return "V8: a prototype's users list (V8 does not shrink it; see bench/README.md)";
    if (type === 'object shape' || name === 'system / Map' || name.startsWith('system / Descriptor'))
      return 'V8: hidden classes and their descriptors';
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
      return 'other: strings';
    return `other: ${type}`;
  };
  const groups = new Map<string, GrowthGroup>();
  for (let k = 0; k < count; k++) {
    if (old.has(nodes[k * l.nodeFields + l.id])) continue;
    const bytes = nodes[k * l.nodeFields + l.selfSize];
    if (bytes === 0) continue;
    const holder = holderOf(k);
    const group = groups.get(holder) ?? { holder, bytes: 0, objects: 0 };
    group.bytes += bytes;
    group.objects++;
    groups.set(holder, group);
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes);
}

/** "+1.4 MB RecentMap held by written (19,783 objects); …", the largest `top` groups. */
export function describeGrowth(groups: readonly GrowthGroup[], top = 8): string {
  const total = groups.reduce((sum, g) => sum + g.bytes, 0);
  const shown = groups.slice(0, top);
  const rest = total - shown.reduce((sum, g) => sum + g.bytes, 0);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const parts = shown.map(
    (g) => `+${mb(g.bytes)} ${g.holder} (${g.objects.toLocaleString('en-US')} objects)`,
  );
  if (rest > 0) parts.push(`+${mb(rest)} in ${groups.length - shown.length} smaller groups`);
  return `+${mb(total)} in objects new since the earlier snapshot: ${parts.join('; ')}`;
}
