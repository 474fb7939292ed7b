/**
 * The bash grammar (tree-sitter, compiled to wasm) behind step splitting, parameter and danger analysis.
 * The wasm bytes are handed in by the host (node reads them from the package; a browser would fetch them),
 * so this module stays free of node and DOM APIs.
 */
import { Language, Parser } from 'web-tree-sitter';
import type { Node, Tree } from 'web-tree-sitter';

export type ShellNode = Node;
export type ShellTree = Tree;

export interface ShellParser {
  /** Parses shell source; never throws: broken input yields ERROR nodes in the tree. */
  parse(source: string): ShellTree;
}

export interface ShellGrammar {
  /** Bytes of tree-sitter-bash.wasm. */
  bashWasm: Uint8Array;
  /** Where web-tree-sitter finds its own runtime wasm; omitted in node, where it finds it itself. */
  locateRuntime?: (file: string) => string;
}

let ready: Promise<void> | undefined;

export async function createShellParser(grammar: ShellGrammar): Promise<ShellParser> {
  ready ??= Parser.init(grammar.locateRuntime ? { locateFile: grammar.locateRuntime } : undefined);
  await ready;
  const language = await Language.load(grammar.bashWasm);
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(source: string): ShellTree {
      const tree = parser.parse(source);
      if (!tree) throw new Error('tree-sitter returned no tree');
      return tree;
    },
  };
}
