// What the traces canvas shows, read back from its own pixels (the WebGL context keeps its drawing
// buffer): the RGBA bytes, and from them the share of lit pixels in each pixel column and the share
// of heatmap-coloured pixels.
import type { Page } from '@playwright/test';

export interface CanvasImage {
  width: number;
  height: number;
  /** RGBA, top row first. */
  data: Uint8Array;
}

export async function canvasImage(app: Page): Promise<CanvasImage> {
  const r = await app.getByTestId('traces-canvas').evaluate((c: HTMLCanvasElement) => {
    const off = document.createElement('canvas');
    off.width = c.width;
    off.height = c.height;
    const ctx = off.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    // Bytes cross as base64: a plain array of a million numbers is slow to serialise.
    let s = '';
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
    return { width: c.width, height: c.height, b64: btoa(s) };
  });
  return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.b64, 'base64')) };
}

export async function canvasPixels(app: Page): Promise<{ litByColumn: number[]; lit: number; heat: number }> {
  const { width, height, data: d } = await canvasImage(app);
  const litByColumn: number[] = [];
  let heat = 0;
  for (let x = 0; x < width; x++) {
    let n = 0;
    for (let y = 0; y < height; y++) {
      const i = (y * width + x) * 4;
      if (d[i] + d[i + 1] + d[i + 2] > 300) n++;
      if (Math.abs(d[i] - d[i + 2]) > 60) heat++;
    }
    litByColumn.push(n / height);
  }
  return { litByColumn, heat: heat / (width * height), lit: litByColumn.reduce((a, b) => a + b, 0) / Math.max(1, litByColumn.length) };
}
