import type { Artifact, Event, Execution, LineageResult } from '@sluice/metadata'
import type { Colors } from '../cli-io.js'
import { stringProperty } from '../run-history.js'
import { displayPath } from './paths.js'

/** Options of {@link renderLineageTree}. */
export interface LineageTreeOptions {
  readonly colors: Colors
  /** Artifact uris under it are shown relative. */
  readonly cwd: string
  /** Executions to descend through; deeper ones are marked as cut. */
  readonly depth: number
}

/** A line of a drawn tree and the lines below it. */
export interface TreeNode {
  readonly label: string
  readonly children: readonly TreeNode[]
}

/**
 * The lineage of one artifact as an indented tree, from a lineage walk's subgraph.
 *
 * Upstream, each artifact's children are the executions that produced it and each execution's the
 * artifacts it read; downstream, each artifact's children are the executions that read it and each
 * execution's the artifacts it wrote. A node reached twice (a diamond in the DAG) is expanded once
 * and marked "(see above)" after. CACHED executions are left out: they re-record an earlier
 * execution's inputs and outputs, which the tree already shows through that execution.
 */
export function renderLineageTree(graph: LineageResult, rootArtifactId: number, direction: 'upstream' | 'downstream', options: LineageTreeOptions): string {
  const { colors } = options
  const artifacts = new Map(graph.artifacts.map((a) => [a.id!, a]))
  const executions = new Map(graph.executions.filter((e) => e.state !== 'CACHED').map((e) => [e.id!, e]))
  const expanded = new Set<string>()
  const root = artifacts.get(rootArtifactId)
  if (!root) return ''

  const artifactLabel = (a: Artifact) =>
    `${colors.bold(a.type)} ${colors.dim(`#${a.id}`)}  ${displayPath(a.uri, options.cwd)}${a.state === 'LIVE' ? '' : ` ${colors.yellow(`(${a.state})`)}`}`
  const executionLabel = (e: Execution) => {
    const nodeId = stringProperty(e, 'node_id') ?? e.type
    const runId = stringProperty(e, 'run_id')
    const component = nodeId === e.type ? '' : ` ${colors.dim(`(${e.type})`)}`
    return `${colors.cyan(nodeId)}${component}  ${colors.dim(`execution #${e.id} · ${e.state}${runId ? ` · run ${runId}` : ''}`)}`
  }
  const keyOf = (event: Event) => {
    const step = event.path?.find((s): s is { key: string } => 'key' in s)
    return step?.key
  }

  const artifactNode = (a: Artifact, generation: number, key: string | undefined): TreeNode => {
    const prefix = key === undefined ? '' : `${key}: `
    const id = `a${a.id}`
    const edgeType = direction === 'upstream' ? 'OUTPUT' : 'INPUT'
    const next = graph.events.filter((e) => e.artifactId === a.id && e.type === edgeType && executions.has(e.executionId))
    if (expanded.has(id)) return { label: `${prefix}${artifactLabel(a)} ${colors.dim('(see above)')}`, children: [] }
    expanded.add(id)
    if (next.length > 0 && generation >= options.depth) return { label: prefix + artifactLabel(a), children: [{ label: colors.dim('… (deeper; raise --depth)'), children: [] }] }
    const children = next.map((event) => {
      const execution = executions.get(event.executionId)!
      return executionNode(execution, generation + 1, direction === 'downstream' ? keyOf(event) : undefined)
    })
    return { label: prefix + artifactLabel(a), children }
  }

  const executionNode = (e: Execution, generation: number, readAs: string | undefined): TreeNode => {
    const id = `e${e.id}`
    const label = `${executionLabel(e)}${readAs === undefined ? '' : colors.dim(` (read as ${readAs})`)}`
    if (expanded.has(id)) return { label: `${label} ${colors.dim('(see above)')}`, children: [] }
    expanded.add(id)
    const edgeType = direction === 'upstream' ? 'INPUT' : 'OUTPUT'
    const children = graph.events
      .filter((event) => event.executionId === e.id && event.type === edgeType && artifacts.has(event.artifactId))
      .map((event) => artifactNode(artifacts.get(event.artifactId)!, generation, keyOf(event)))
    return { label, children }
  }

  const tree = artifactNode(root, 0, undefined)
  if (tree.children.length > 0) return drawTree(tree)
  const none = direction === 'upstream' ? '(no recorded producer: imported, or made outside a run)' : '(nothing has read it yet)'
  return drawTree({ label: tree.label, children: [{ label: colors.dim(none), children: [] }] })
}

/** Draws a tree with box-drawing branches, one node per line. */
export function drawTree(root: TreeNode): string {
  const lines: string[] = [root.label]
  const walk = (node: TreeNode, indent: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1
      lines.push(`${indent}${last ? '└─ ' : '├─ '}${child.label}`)
      walk(child, `${indent}${last ? '   ' : '│  '}`)
    })
  }
  walk(root, '')
  return `${lines.join('\n')}\n`
}
