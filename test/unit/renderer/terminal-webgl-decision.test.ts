// WebGL only where a GPU draws it: software rasterizers are 5x slower than xterm's DOM renderer.
import { describe, expect, it } from 'vitest';
import { chooseRenderer } from '../../../renderer/features/terminal/webgl-decision.js';

describe('chooseRenderer', () => {
  it('uses WebGL on hardware renderers', () => {
    for (const renderer of [
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002503) Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)',
      'AMD Radeon Pro 5500M OpenGL Engine',
    ]) {
      expect(chooseRenderer(renderer), renderer).toBe('webgl');
    }
  });

  it('falls back to the DOM renderer for software rendering', () => {
    for (const renderer of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'Google SwiftShader',
      'ANGLE (Mesa, llvmpipe (LLVM 15.0.6, 256 bits), OpenGL 4.5)',
      'llvmpipe (LLVM 12.0.0, 256 bits)',
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Software Rasterizer',
      'lavapipe (LLVM 15.0.7, 256 bits)',
    ]) {
      expect(chooseRenderer(renderer), renderer).toBe('dom');
    }
  });

  it('falls back to the DOM renderer when there is no WebGL or the renderer is masked', () => {
    expect(chooseRenderer(null)).toBe('dom');
    expect(chooseRenderer(undefined)).toBe('dom');
    expect(chooseRenderer('  ')).toBe('dom');
    expect(chooseRenderer('WebKit WebGL')).toBe('dom');
  });
});
