/**
 * Which xterm renderer to use, from the WebGL renderer string (WEBGL_debug_renderer_info). WebGL drawn by a
 * software rasterizer (SwiftShader, llvmpipe) is about 5x slower than xterm's DOM renderer (machine-notes.md), so
 * only a GPU gets WebGL; when the string is missing or masked, the DOM renderer is the choice that is never slow.
 */
export type TerminalRenderer = 'webgl' | 'dom';

/** Software rasterizers as Chromium, ANGLE, Mesa and Windows name them. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|mesa offscreen|gdi generic/i;
/** What browsers report when they hide the real renderer: nothing to decide on. */
const MASKED = /^(?:webkit webgl|mozilla|generic renderer)$/i;

export function chooseRenderer(rendererString: string | null | undefined): TerminalRenderer {
  const value = rendererString?.trim() ?? '';
  if (value === '' || MASKED.test(value) || SOFTWARE.test(value)) return 'dom';
  return 'webgl';
}
