// Draws stacked traces (or a heatmap) from min/max columns with one fragment shader: each pixel
// looks up its lane's channel (the lane map puts channels in depth or index order) and that
// channel's column in a float texture (channels × a ring of columns), and lights up if the trace
// passes through it — or, as a heatmap, takes the colour of the column's extreme value (of the
// extremes of all the lanes a pixel row covers, when lanes are under a pixel).
// Cost is per pixel, not per sample, so 384 channels stay cheap even on software WebGL. The shaded
// pixels are kept in a screen-sized ring of their own (pixel x = column mod width): while the view
// follows, a frame shades only the columns that arrived and copies the ring to the canvas, so the
// per-frame cost is a copy, not the shader over the whole screen.

/**
 * A heatmap pixel row shorter than a lane shows the strongest of every lane it covers, up to this
 * many (GLSL wants a constant loop bound). The canvas is at least 64 rows, so up to 64 × 31 ≈ 2000
 * lanes are all shown at any height, and a probe's 384 down to 13 rows; past that a row's last lanes go.
 */
export const MAX_LANES_PER_ROW = 32;

const VERT = `#version 300 es
in vec2 p;
void main() { gl_Position = vec4(p, 0.0, 1.0); }`;

const FRAG = `#version 300 es
precision highp float;
precision highp int;
#define MAX_LANES_PER_ROW ${MAX_LANES_PER_ROW}
uniform highp sampler2D uTex;
uniform highp isampler2D uLanes;  // lane → (channel, shank)
uniform highp sampler2D uScale;   // channel → display scale (autoscale: median noise / its noise)
uniform int uMode;        // 0 traces, 1 heatmap
uniform int uNumShanks;
uniform float uClim;      // heatmap: µV at full colour
uniform int uRing;        // texture rows (columns of the ring)
uniform int uLeftCol;     // absolute column at pixel x = 0
uniform int uRightCol;    // first absolute column not yet received
uniform int uOldestCol;   // first absolute column still held
uniform int uGroups;       // side-by-side columns of lanes (shanks as columns), 1 when stacked
uniform int uColW;         // pixels per column of lanes
uniform int uLaneRows;     // lanes in the tallest column
uniform int uStart[8];     // first lane (index into uLanes) of each column
uniform int uCount[8];     // lanes in each column
uniform float uPxPerUv;
uniform float uHeight;
out vec4 color;
vec2 mm(int col, int ch) { return texelFetch(uTex, ivec2(ch, ((col % uRing) + uRing) % uRing), 0).rg; }
// Heatmap: lane i's (index into uLanes) extreme of column col, scaled, with its sign (the map is signed).
float extreme(int col, int i) {
  int ch = texelFetch(uLanes, ivec2(i, 0), 0).r;
  vec2 a = mm(col, ch) * texelFetch(uScale, ivec2(ch, 0), 0).r;
  return abs(a.x) > abs(a.y) ? a.x : a.y;
}
void main() {
  int x = int(gl_FragCoord.x);
  int g = min(x / uColW, uGroups - 1);
  int lx = x - g * uColW;
  float lane = uHeight / float(uLaneRows);
  int k = int(gl_FragCoord.y / lane);
  // A heatmap row shorter than a lane covers lanes [k, kEnd): all of them are shown, not the one at
  // the row's centre (which skipped a lane in every few). In integers, so no lane falls between rows.
  bool packed = uMode == 1 && lane < 1.0;
  int row = int(gl_FragCoord.y), H = int(uHeight);
  if (packed) k = row * uLaneRows / H;
  // Below a shorter column of lanes: the frame colour.
  if (lx >= uColW || k >= uCount[g]) { color = vec4(0.02, 0.022, 0.025, 1.0); return; }
  ivec2 lc = texelFetch(uLanes, ivec2(uStart[g] + k, 0), 0).rg;
  int ch = lc.x;
  int shank = lc.y;
  int col = uLeftCol + lx;
  bool odd = (k % 2) == 1;
  vec4 bg = odd ? vec4(0.075, 0.085, 0.10, 1.0) : vec4(0.063, 0.075, 0.09, 1.0);
  if (col >= uRightCol || col < uOldestCol) { color = vec4(0.04, 0.045, 0.05, 1.0); return; }
  if (uMode == 1) {
    float v = extreme(col, uStart[g] + k);
    if (packed) {
      int kEnd = min(((row + 1) * uLaneRows + H - 1) / H, uCount[g]);
      for (int i = 1; i < MAX_LANES_PER_ROW; i++) {
        if (k + i >= kEnd) break;
        float w = extreme(col, uStart[g] + k + i);
        if (abs(w) > abs(v)) v = w;
      }
    }
    // Diverging map: negative (spikes) blue, positive red, zero near the background.
    float t = clamp(v / uClim, -1.0, 1.0);
    vec3 base = vec3(0.09, 0.10, 0.12);
    color = vec4(t < 0.0 ? mix(base, vec3(0.35, 0.65, 1.0), -t) : mix(base, vec3(1.0, 0.42, 0.32), t), 1.0);
    return;
  }
  float sc = texelFetch(uScale, ivec2(ch, 0), 0).r;
  vec2 a = mm(col, ch) * sc;
  vec2 b = col > uOldestCol ? mm(col - 1, ch) * sc : a;
  float lo = min(a.x, b.y), hi = max(a.y, b.x);
  float center = (float(k) + 0.5) * lane;
  float y0 = center + lo * uPxPerUv - 0.5, y1 = center + hi * uPxPerUv + 0.5;
  bool on = gl_FragCoord.y >= y0 && gl_FragCoord.y <= y1;
  // Colour by shank (a probe with one shank alternates two shades so neighbours stay apart).
  vec3 shankColor[4] = vec3[4](vec3(0.85, 0.88, 0.92), vec3(0.55, 0.80, 1.0), vec3(0.98, 0.72, 0.45), vec3(0.62, 0.90, 0.62));
  vec3 c = shankColor[(shank + (odd ? 1 : 0) * (uNumShanks == 1 ? 1 : 0)) % 4];
  color = on ? vec4(c, 1.0) : bg;
}`;

export interface DrawParams {
  mode: 'traces' | 'heatmap';
  /** Heatmap: µV at full colour. */
  clim: number;
  leftCol: number;
  rightCol: number;
  oldestCol: number;
  /** Columns of lanes side by side (one when stacked): lanes [start, start + count) of the lane map, bottom first. */
  groups: { start: number; count: number }[];
  pxPerUv: number;
}

/** At most this many columns of lanes (a 4-shank probe needs 4). */
export const MAX_GROUPS = 8;

/** Pixels per column of lanes: the time window is drawn once in each. */
export const groupWidth = (canvasWidth: number, groups: number): number => Math.floor(canvasWidth / Math.max(1, Math.min(MAX_GROUPS, groups)));

/** Software WebGL (SwiftShader, llvmpipe) pays per pixel on the CPU: draw at half resolution there. */
export function renderScaleFor(): number {
  // A throwaway canvas: the first getContext on the real one fixes its attributes (the renderer
  // needs preserveDrawingBuffer so the picture can be read back and screenshotted).
  const gl = document.createElement('canvas').getContext('webgl2');
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  const name = ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : '';
  return /swiftshader|llvmpipe|software/i.test(name) ? 0.5 : 1;
}

/** An immutable-size, nearest-sampled texture bound on `unit` (which stays active afterwards). */
function texture(gl: WebGL2RenderingContext, unit: number, format: number, width: number, height: number): WebGLTexture {
  const tex = gl.createTexture()!;
  gl.activeTexture(gl.TEXTURE0 + unit);
  gl.bindTexture(gl.TEXTURE_2D, tex);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texStorage2D(gl.TEXTURE_2D, 1, format, width, height);
  return tex;
}

/** The shaded pixels (ring x = column mod width) and what they hold: columns [lo, hi), drawn with `key`. */
interface PixelRing {
  fb: WebGLFramebuffer;
  tex: WebGLTexture;
  width: number;
  height: number;
  lo: number;
  hi: number;
  key: string;
  oldest: number;
}

export class TraceRenderer {
  readonly ring = 8192;
  readonly channels: number;
  #gl: WebGL2RenderingContext;
  #prog: WebGLProgram;
  #u: Record<string, WebGLUniformLocation | null> = {};
  #lanes: WebGLTexture;
  #scale: WebGLTexture;
  #columns: WebGLTexture;
  #quad: WebGLBuffer;
  #numShanks = 1;
  #cache: PixelRing | null = null;

  constructor(canvas: HTMLCanvasElement, channels: number) {
    const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: true });
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.#gl = gl;
    this.channels = channels;
    const shader = (type: number, src: string) => {
      const s = gl.createShader(type)!;
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'shader');
      return s;
    };
    const prog = gl.createProgram()!;
    const shaders = [shader(gl.VERTEX_SHADER, VERT), shader(gl.FRAGMENT_SHADER, FRAG)];
    for (const sh of shaders) gl.attachShader(prog, sh);
    gl.linkProgram(prog);
    for (const sh of shaders) gl.deleteShader(sh); // freed with the program (dispose), which holds them till then
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog) ?? 'link');
    this.#prog = prog;
    gl.useProgram(prog);
    for (const n of ['uTex', 'uLanes', 'uScale', 'uMode', 'uClim', 'uNumShanks', 'uRing', 'uLeftCol', 'uRightCol', 'uOldestCol', 'uGroups', 'uColW', 'uLaneRows', 'uStart', 'uCount', 'uPxPerUv', 'uHeight'])
      this.#u[n] = gl.getUniformLocation(prog, n);
    const buf = gl.createBuffer()!;
    this.#quad = buf;
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    const loc = gl.getAttribLocation(prog, 'p');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
    // Unit 0: the column ring; 1: lane → (channel, shank); 2: per-channel display scale.
    this.#lanes = texture(gl, 1, gl.RG32I, channels, 1);
    this.setLanes(Array.from({ length: channels }, (_, c) => c), new Array<number>(channels).fill(0));
    this.#scale = texture(gl, 2, gl.R32F, channels, 1);
    this.setChannelScale(new Float32Array(channels).fill(1));
    this.#columns = texture(gl, 0, gl.RG32F, channels, this.ring);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
  }

  /**
   * Gives back what it holds on the GPU (the column ring alone is channels × 8192 × 8 bytes, 25 MB at
   * 384): a renderer made anew on the same canvas (another source) shares its context, which keeps
   * every texture until deleted.
   */
  dispose(): void {
    const gl = this.#gl;
    for (const t of [this.#columns, this.#lanes, this.#scale]) gl.deleteTexture(t);
    if (this.#cache) gl.deleteFramebuffer(this.#cache.fb), gl.deleteTexture(this.#cache.tex);
    this.#cache = null;
    gl.deleteBuffer(this.#quad);
    gl.deleteProgram(this.#prog);
  }

  /** Lane k (from the bottom) shows channel order[k]; shanks colour the traces. */
  setLanes(order: number[], shankOf: number[]): void {
    const gl = this.#gl;
    const data = new Int32Array(this.channels * 2);
    order.forEach((ch, k) => {
      data[2 * k] = ch;
      data[2 * k + 1] = shankOf[ch] ?? 0;
    });
    this.#numShanks = new Set(shankOf).size;
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.#lanes);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, this.channels, 1, gl.RG_INTEGER, gl.INT, data);
    gl.activeTexture(gl.TEXTURE0);
    this.#forget();
  }

  /** Per-channel display factors (1 = as recorded). */
  setChannelScale(scale: Float32Array): void {
    const gl = this.#gl;
    gl.activeTexture(gl.TEXTURE2);
    gl.bindTexture(gl.TEXTURE_2D, this.#scale);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, this.channels, 1, gl.RED, gl.FLOAT, scale);
    gl.activeTexture(gl.TEXTURE0);
    this.#forget();
  }

  /** Columns [first, first + count), count × channels × {min, max}: one texture row per column. */
  upload(first: number, count: number, minmax: Float32Array): void {
    const gl = this.#gl;
    const C = this.channels;
    // Columns already shaded that come again (a refetch after a change of span or raw/processed)
    // mean something new: their pixels are stale. The newest column sent again as it fills (following
    // a live run) makes only itself stale: the rest of the screen stays shaded.
    const c = this.#cache;
    if (c && first < c.hi && first + count > c.lo) {
      if (first > c.lo && first + count >= c.hi) c.hi = first;
      else this.#forget();
    }
    let done = 0;
    while (done < count) {
      const row = (((first + done) % this.ring) + this.ring) % this.ring;
      const n = Math.min(count - done, this.ring - row);
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, row, C, n, gl.RG, gl.FLOAT, minmax.subarray(done * C * 2, (done + n) * C * 2));
      done += n;
    }
  }

  /** Every shaded pixel is stale (lanes, scales or what the columns mean changed). */
  #forget(): void {
    if (this.#cache) this.#cache.lo = this.#cache.hi = 0;
  }

  /** The pixel ring at the canvas's size (a new one after a resize). */
  #ring(width: number, height: number): PixelRing {
    const gl = this.#gl;
    if (this.#cache && this.#cache.width === width && this.#cache.height === height) return this.#cache;
    if (this.#cache) {
      gl.deleteFramebuffer(this.#cache.fb);
      gl.deleteTexture(this.#cache.tex);
    }
    // Unit 3 is read by no sampler: the ring is only ever drawn into and copied from.
    const tex = texture(gl, 3, gl.RGBA8, width, height);
    gl.activeTexture(gl.TEXTURE0);
    const fb = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.#cache = { fb, tex, width, height, lo: 0, hi: 0, key: '', oldest: 0 };
    return this.#cache;
  }

  draw(p: DrawParams): void {
    const gl = this.#gl;
    const canvas = gl.canvas as HTMLCanvasElement;
    const W = canvas.width;
    const H = canvas.height;
    const ring = this.#ring(W, H);
    const groups = p.groups.slice(0, MAX_GROUPS);
    const G = Math.max(1, groups.length);
    const colW = groupWidth(W, G);
    const oldest = Math.max(p.oldestCol, p.rightCol - this.ring);
    const key = JSON.stringify([p.mode, p.clim, groups, p.pxPerUv]);
    if (key !== ring.key) {
      ring.key = key;
      ring.lo = ring.hi = 0;
    }
    // The oldest column is drawn without a predecessor: when the oldest moves, so does that one.
    if (oldest !== ring.oldest) ring.lo = Math.max(ring.lo, oldest + 1);
    ring.oldest = oldest;
    const left = p.leftCol;
    const right = left + colW;
    // Columns with data on screen: the ones worth keeping. The rest (not yet received, no longer
    // held) is drawn dark every time, which is cheap and always right.
    const dataLo = Math.max(left, oldest);
    const dataHi = Math.min(right, p.rightCol);
    const keepLo = Math.max(ring.lo, dataLo);
    const keepHi = Math.min(ring.hi, dataHi);
    gl.useProgram(this.#prog);
    gl.uniform1i(this.#u.uTex, 0);
    gl.uniform1i(this.#u.uLanes, 1);
    gl.uniform1i(this.#u.uScale, 2);
    gl.uniform1i(this.#u.uMode, p.mode === 'heatmap' ? 1 : 0);
    gl.uniform1f(this.#u.uClim, p.clim);
    gl.uniform1i(this.#u.uNumShanks, this.#numShanks);
    gl.uniform1i(this.#u.uRing, this.ring);
    gl.uniform1i(this.#u.uRightCol, p.rightCol);
    gl.uniform1i(this.#u.uOldestCol, oldest);
    gl.uniform1i(this.#u.uGroups, G);
    gl.uniform1i(this.#u.uColW, colW);
    gl.uniform1i(this.#u.uLaneRows, Math.max(1, ...groups.map((g) => g.count)));
    gl.uniform1iv(this.#u.uStart, Int32Array.from({ length: MAX_GROUPS }, (_, g) => groups[g]?.start ?? 0));
    gl.uniform1iv(this.#u.uCount, Int32Array.from({ length: MAX_GROUPS }, (_, g) => groups[g]?.count ?? 0));
    gl.uniform1f(this.#u.uPxPerUv, p.pxPerUv);
    gl.uniform1f(this.#u.uHeight, H);
    gl.bindFramebuffer(gl.FRAMEBUFFER, ring.fb);
    gl.viewport(0, 0, W, H);
    gl.enable(gl.SCISSOR_TEST);
    if (keepLo < keepHi) {
      this.#shade(left, keepLo, colW, G, H);
      this.#shade(keepHi, right, colW, G, H);
    } else {
      this.#shade(left, right, colW, G, H);
    }
    gl.disable(gl.SCISSOR_TEST);
    ring.lo = dataLo;
    ring.hi = Math.max(dataLo, dataHi);
    // Ring → canvas: in each column of lanes, time column `left` sits at x = left mod colW; two copies unwrap it.
    const s = ((left % colW) + colW) % colW;
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, ring.fb);
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, null);
    for (let g = 0; g < G; g++) {
      const x = g * colW;
      gl.blitFramebuffer(x + s, 0, x + colW, H, x, 0, x + colW - s, H, gl.COLOR_BUFFER_BIT, gl.NEAREST);
      if (s > 0) gl.blitFramebuffer(x, 0, x + s, H, x + colW - s, 0, x + colW, H, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    // Fixed on screen, so drawn on the canvas, not in the ring: a line between columns of lanes and
    // the strip right of the last one (W mod G pixels).
    gl.enable(gl.SCISSOR_TEST);
    gl.clearColor(0.02, 0.022, 0.025, 1);
    for (let g = 1; g < G; g++) {
      gl.scissor(g * colW, 0, 1, H);
      gl.clear(gl.COLOR_BUFFER_BIT);
    }
    if (G * colW < W) {
      gl.scissor(G * colW, 0, W - G * colW, H);
      gl.clear(gl.COLOR_BUFFER_BIT);
    }
    gl.disable(gl.SCISSOR_TEST);
  }

  /** Shades time columns [c0, c1) of every column of lanes into the pixel ring, one scissored pass per unwrapped stretch. */
  #shade(c0: number, c1: number, colW: number, groups: number, H: number): void {
    const gl = this.#gl;
    for (let c = c0; c < c1; ) {
      const x0 = ((c % colW) + colW) % colW;
      const n = Math.min(c1 - c, colW - x0);
      gl.uniform1i(this.#u.uLeftCol, c - x0); // the time column at x = 0 of each column of lanes
      for (let g = 0; g < groups; g++) {
        gl.scissor(g * colW + x0, 0, n, H);
        gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      }
      c += n;
    }
  }
}
