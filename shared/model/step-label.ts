/**
 * A step's name where it stands alone (the steps a run left, a CLI line): its title, and the header comment that
 * named it inside its shell block when that differs. Numbered procedure items often hold several command steps
 * ("Assess Data Loss" twice), which only their captions tell apart.
 */
export function stepLabel(step: { title: string; caption: string | null }): string {
  return step.caption && step.caption !== step.title ? `${step.title}: ${step.caption}` : step.title;
}
