/** Helpers the extractor tests share: run an extractor on a file or a string, look components up. */
import type { Extractor } from '../ecosystems/types.js';
import type { Component } from '../model/component.js';
import type { Inventory } from '../model/inventory.js';
import { fileInput, memoryInput } from '../io/input.js';

export interface ExtractorTesting {
  /** Extract a file on disk. */
  extractFile(p: string): Promise<Inventory>;
  /** Extract text as if read from `p` (default: `mem/<defaultName>`). */
  extractText(text: string, p?: string): Promise<Inventory>;
  /** The component `name@version`, or a thrown error listing what there is. */
  comp(inv: Inventory, name: string, version: string): Component;
  /** `name@version` of every component, sorted (`version` passed through `showVersion`). */
  nameVersions(inv: Inventory): string[];
}

export function extractorTesting(
  extractor: Extractor,
  purl: (name: string, version: string) => string,
  defaultName: string,
  showVersion: (v: string) => string = (v) => v,
): ExtractorTesting {
  return {
    extractFile: async (p) => extractor.extract(await fileInput(p)),
    extractText: (text, p = `mem/${defaultName}`) => extractor.extract(memoryInput(p, text)),
    comp(inv, name, version) {
      const c = inv.graph.components.get(purl(name, version));
      if (!c) throw new Error(`no component ${name}@${version}; have ${[...inv.graph.components.keys()].join(', ')}`);
      return c;
    },
    nameVersions: (inv) => [...inv.graph.components.values()].map((c) => `${c.name}@${showVersion(c.version)}`).sort(),
  };
}
