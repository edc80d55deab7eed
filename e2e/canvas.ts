// What the traces canvas shows, read back from its own pixels (the WebGL context keeps its drawing
// buffer): the share of lit pixels in each pixel column, and the share of heatmap-coloured pixels.
import type { Page } from '@playwright/test';

export async function canvasPixels(app: Page): Promise<{ litByColumn: number[]; lit: number; heat: number }> {
  const r = await app.getByTestId('traces-canvas').evaluate((c: HTMLCanvasElement) => {
    const off = document.createElement('canvas');
    off.width = c.width;
    off.height = c.height;
    const ctx = off.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const litByColumn: number[] = [];
    let heat = 0;
    for (let x = 0; x < c.width; x++) {
      let n = 0;
      for (let y = 0; y < c.height; y++) {
        const i = (y * c.width + x) * 4;
        if (d[i] + d[i + 1] + d[i + 2] > 300) n++;
        if (Math.abs(d[i] - d[i + 2]) > 60) heat++;
      }
      litByColumn.push(n / c.height);
    }
    return { litByColumn, heat: heat / (c.width * c.height) };
  });
  return { ...r, lit: r.litByColumn.reduce((a, b) => a + b, 0) / Math.max(1, r.litByColumn.length) };
}
