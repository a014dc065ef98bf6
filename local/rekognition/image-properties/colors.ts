/**
 * Colour names for DetectLabels' DominantColors: the CSS named colours
 * (CSS Color Module Level 4, greys spelled "gray" as CSS spells them) and the
 * simplified colour families Rekognition reports next to them.
 */

/** One entry of DominantColor.SimplifiedColor. */
export const SimplifiedColor = {
  black: 'black',
  white: 'white',
  grey: 'grey',
  red: 'red',
  orange: 'orange',
  yellow: 'yellow',
  green: 'green',
  blue: 'blue',
  purple: 'purple',
  pink: 'pink',
  brown: 'brown',
} as const;
export type SimplifiedColor = (typeof SimplifiedColor)[keyof typeof SimplifiedColor];

export interface Rgb {
  readonly red: number;
  readonly green: number;
  readonly blue: number;
}

export interface NamedColor extends Rgb {
  readonly name: string;
}

// name and hex, space separated; duplicates of the same value (aqua/cyan, fuchsia/magenta, grey/gray) keep one spelling.
const cssColorTable = `
aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc bisque ffe4c4 black 000000
blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00
chocolate d2691e coral ff7f50 cornflowerblue 6495ed cornsilk fff8dc crimson dc143c darkblue 00008b darkcyan 008b8b
darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkkhaki bdb76b darkmagenta 8b008b darkolivegreen 556b2f
darkorange ff8c00 darkorchid 9932cc darkred 8b0000 darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b
darkslategray 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff dimgray 696969
dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0 forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff
gold ffd700 goldenrod daa520 gray 808080 green 008000 greenyellow adff2f honeydew f0fff0 hotpink ff69b4 indianred cd5c5c
indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5 lawngreen 7cfc00 lemonchiffon fffacd
lightblue add8e6 lightcoral f08080 lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90
lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa lightslategray 778899 lightsteelblue b0c4de
lightyellow ffffe0 lime 00ff00 limegreen 32cd32 linen faf0e6 maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd
mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371 mediumslateblue 7b68ee mediumspringgreen 00fa9a
mediumturquoise 48d1cc mediumvioletred c71585 midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5
navajowhite ffdead navy 000080 oldlace fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6
palegoldenrod eee8aa palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9
peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f
royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee sienna a0522d
silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c
teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5
yellow ffff00 yellowgreen 9acd32
`;

export const cssColors: readonly NamedColor[] = (() => {
  const words = cssColorTable.trim().split(/\s+/);
  const colors: NamedColor[] = [];
  for (let index = 0; index < words.length; index += 2) {
    const hex = Number.parseInt(words[index + 1], 16);
    colors.push({ name: words[index], red: (hex >> 16) & 0xff, green: (hex >> 8) & 0xff, blue: hex & 0xff });
  }
  return colors;
})();

/**
 * Perceptual-ish distance ("redmean", Riemersma): cheap, and closer to what
 * the eye sees than plain RGB distance, without a Lab conversion per pixel.
 */
export function colorDistance(a: Rgb, b: Rgb): number {
  const redMean = (a.red + b.red) / 2;
  const dr = a.red - b.red;
  const dg = a.green - b.green;
  const db = a.blue - b.blue;
  return (2 + redMean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - redMean) / 256) * db * db;
}

/** Index into `cssColors` of the nearest named colour. */
export function nearestCssColor(color: Rgb): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let index = 0; index < cssColors.length; index += 1) {
    const distance = colorDistance(color, cssColors[index]);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = index;
    }
  }
  return best;
}

/** The colour family of an RGB value, from its hue, saturation and lightness. */
export function simplifiedColor(color: Rgb): SimplifiedColor {
  const r = color.red / 255;
  const g = color.green / 255;
  const b = color.blue / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const lightness = (max + min) / 2;
  const chroma = max - min;
  if (lightness < 0.12) return SimplifiedColor.black;
  if (chroma < 0.1 || (lightness > 0.92 && chroma < 0.2)) {
    if (lightness > 0.85) return SimplifiedColor.white;
    return lightness < 0.18 ? SimplifiedColor.black : SimplifiedColor.grey;
  }
  let hue: number;
  if (max === r) hue = ((g - b) / chroma + 6) % 6;
  else if (max === g) hue = (b - r) / chroma + 2;
  else hue = (r - g) / chroma + 4;
  hue *= 60;
  const saturation = chroma / (1 - Math.abs(2 * lightness - 1));
  if (hue < 15 || hue >= 340) {
    if (lightness > 0.7) return SimplifiedColor.pink;
    // Dull dark reds (CSS brown, rosybrown's darker kin) read as brown; saturated ones (darkred, firebrick) as red.
    return lightness < 0.45 && saturation < 0.65 ? SimplifiedColor.brown : SimplifiedColor.red;
  }
  if (hue < 45) return lightness < 0.45 ? SimplifiedColor.brown : SimplifiedColor.orange;
  if (hue < 70) return lightness < 0.3 ? SimplifiedColor.brown : SimplifiedColor.yellow;
  if (hue < 170) return SimplifiedColor.green;
  if (hue < 255) return SimplifiedColor.blue;
  if (hue < 290) return SimplifiedColor.purple;
  return lightness > 0.35 ? SimplifiedColor.pink : SimplifiedColor.purple;
}

export const hexCode = (color: Rgb): string =>
  `#${[color.red, color.green, color.blue].map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
