/**
 * Walks a runbook's nested sections the way the views need them: a section's steps in document order with the
 * subsection each came from, counts that include subsections, and whether anything inside is destructive.
 */
import type { Section, Step } from '../../shared/model/runbook.js';

export interface StepGroup {
  section: Section;
  /** 0 for the section itself, 1 for its subsections, and so on. */
  depth: number;
  steps: Step[];
}

export function findSection(sections: readonly Section[], id: string): Section | null {
  for (const section of sections) {
    if (section.id === id) return section;
    const inner = findSection(section.sections, id);
    if (inner) return inner;
  }
  return null;
}

/** The path of titles from the top down to the section with this id (for breadcrumbs); empty when not found. */
export function sectionPath(sections: readonly Section[], id: string): Section[] {
  for (const section of sections) {
    if (section.id === id) return [section];
    const inner = sectionPath(section.sections, id);
    if (inner.length > 0) return [section, ...inner];
  }
  return [];
}

export function stepGroups(section: Section, depth = 0): StepGroup[] {
  const own: StepGroup[] = section.steps.length > 0 || depth === 0 ? [{ section, depth, steps: section.steps }] : [];
  return [...own, ...section.sections.flatMap((child) => stepGroups(child, depth + 1))];
}

export function allSteps(section: Section): Step[] {
  return [...section.steps, ...section.sections.flatMap(allSteps)];
}

export function countSteps(section: Section): number {
  return allSteps(section).length;
}

export function hasDestructive(section: Section): boolean {
  return allSteps(section).some((step) => step.danger.level === 'destructive');
}

/** The section a runbook opens on: the first one that has steps of its own, else the first one. */
export function defaultSection(sections: readonly Section[]): Section | null {
  const visit = (list: readonly Section[]): Section | null => {
    for (const section of list) {
      if (section.steps.length > 0) return section;
      const inner = visit(section.sections);
      if (inner) return inner;
    }
    return null;
  };
  return visit(sections) ?? sections[0] ?? null;
}
