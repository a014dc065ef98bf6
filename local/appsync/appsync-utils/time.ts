/**
 * util.time: timestamps and the subset of Java DateTimeFormatter patterns
 * AppSync's docs use (yyyy MM dd HH mm ss SSS, names, am/pm, zones, 'literals').
 */
import type { Util } from '@aws-appsync/utils';

type TimeUtils = Util['time'];

const monthNames = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly weekday: number;
  /** Offset from UTC in minutes. */
  readonly offsetMinutes: number;
}

type Token = { readonly literal: string } | { readonly field: string };

/** Splits a DateTimeFormatter pattern into runs of one letter and literals. */
function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    if (char === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        tokens.push({ literal: "'" });
        i += 2;
        continue;
      }
      const stop = end === -1 ? pattern.length : end;
      tokens.push({ literal: pattern.slice(i + 1, stop) });
      i = stop + 1;
    } else if (/[A-Za-z]/.test(char)) {
      let j = i;
      while (j < pattern.length && pattern[j] === char) j++;
      tokens.push({ field: pattern.slice(i, j) });
      i = j;
    } else {
      tokens.push({ literal: char });
      i++;
    }
  }
  return tokens;
}

function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Z') return 0;
  const formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const name = formatter.formatToParts(new Date(epochMs)).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

function zonedParts(epochMs: number, timeZone: string): ZonedParts {
  const offsetMinutes = zoneOffsetMinutes(epochMs, timeZone);
  const shifted = new Date(epochMs + offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
    weekday: shifted.getUTCDay(),
    offsetMinutes,
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

function formatOffset(offsetMinutes: number, style: 'Z' | 'XXX' | 'X' | 'xxx'): string {
  if (offsetMinutes === 0 && style !== 'Z' && style !== 'xxx') return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = pad(Math.floor(Math.abs(offsetMinutes) / 60), 2);
  const minutes = pad(Math.abs(offsetMinutes) % 60, 2);
  if (style === 'X') return `${sign}${hours}${minutes === '00' ? '' : minutes}`;
  return style === 'Z' ? `${sign}${hours}${minutes}` : `${sign}${hours}:${minutes}`;
}

function formatField(field: string, parts: ZonedParts, timeZone: string): string {
  const letter = field[0];
  const width = field.length;
  switch (letter) {
    case 'y':
    case 'u':
      return width === 2 ? pad(parts.year % 100, 2) : pad(parts.year, width);
    case 'M':
    case 'L':
      if (width >= 4) return monthNames[parts.month - 1];
      if (width === 3) return monthNames[parts.month - 1].slice(0, 3);
      return pad(parts.month, width);
    case 'd':
      return pad(parts.day, width);
    case 'H':
      return pad(parts.hour, width);
    case 'h':
      return pad(parts.hour % 12 === 0 ? 12 : parts.hour % 12, width);
    case 'm':
      return pad(parts.minute, width);
    case 's':
      return pad(parts.second, width);
    case 'S':
      return pad(parts.millisecond, 3).slice(0, width).padEnd(width, '0');
    case 'a':
      return parts.hour < 12 ? 'AM' : 'PM';
    case 'E':
      return width >= 4 ? dayNames[parts.weekday] : dayNames[parts.weekday].slice(0, 3);
    case 'Z':
      return formatOffset(parts.offsetMinutes, 'Z');
    case 'X':
      return formatOffset(parts.offsetMinutes, width >= 3 ? 'XXX' : 'X');
    case 'x':
      return formatOffset(parts.offsetMinutes, 'xxx');
    case 'z':
    case 'V':
      return timeZone;
    default:
      throw new Error(`Unsupported date-time pattern letter: ${letter}`);
  }
}

export function formatEpochMillis(epochMs: number, pattern: string, timeZone = 'UTC'): string {
  const parts = zonedParts(epochMs, timeZone);
  return tokenize(pattern)
    .map((token) => ('literal' in token ? token.literal : formatField(token.field, parts, timeZone)))
    .join('');
}

const fieldPatterns: Record<string, string> = {
  y: '(\\d{2,4})', u: '(\\d{2,4})', M: '(\\d{1,2}|[A-Za-z]+)', L: '(\\d{1,2}|[A-Za-z]+)', d: '(\\d{1,2})',
  H: '(\\d{1,2})', h: '(\\d{1,2})', m: '(\\d{1,2})', s: '(\\d{1,2})', S: '(\\d{1,9})', a: '(AM|PM|am|pm)',
  E: '([A-Za-z]+)', Z: '([+-]\\d{4}|Z)', X: '(Z|[+-]\\d{2}(?::?\\d{2})?)', x: '([+-]\\d{2}(?::?\\d{2})?)',
};

function parseOffset(text: string): number {
  if (text === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
  return text[0] === '-' ? -minutes : minutes;
}

export function parseFormatted(timestamp: string, pattern: string, timeZone = 'UTC'): number {
  const tokens = tokenize(pattern);
  const fields: string[] = [];
  const source = tokens
    .map((token) => {
      if ('literal' in token) return token.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const regex = fieldPatterns[token.field[0]];
      if (!regex) throw new Error(`Unsupported date-time pattern letter: ${token.field[0]}`);
      fields.push(token.field);
      return regex;
    })
    .join('');
  const match = new RegExp(`^${source}$`).exec(timestamp);
  if (!match) throw new Error(`Text '${timestamp}' could not be parsed with pattern '${pattern}'`);
  let year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  fields.forEach((field, index) => {
    const text = match[index + 1];
    switch (field[0]) {
      case 'y': case 'u': year = field.length === 2 ? 2000 + Number(text) : Number(text); break;
      case 'M': case 'L': {
        const named = monthNames.findIndex((name) => name.toLowerCase().startsWith(text.toLowerCase()));
        month = /^\d+$/.test(text) ? Number(text) : named + 1;
        break;
      }
      case 'd': day = Number(text); break;
      case 'H': case 'h': hour = Number(text); break;
      case 'm': minute = Number(text); break;
      case 's': second = Number(text); break;
      case 'S': millisecond = Number(text.padEnd(3, '0').slice(0, 3)); break;
      case 'a': pm = text.toUpperCase() === 'PM'; break;
      case 'Z': case 'X': case 'x': offset = parseOffset(text); break;
    }
  });
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const offsetMinutes = offset ?? zoneOffsetMinutes(wallClock, timeZone);
  return wallClock - offsetMinutes * 60_000;
}

export function parseISO8601(timestamp: string): number {
  const epochMs = Date.parse(timestamp);
  if (Number.isNaN(epochMs)) throw new Error(`Text '${timestamp}' could not be parsed as ISO 8601`);
  return epochMs;
}

export const time: TimeUtils = {
  nowISO8601: () => new Date().toISOString(),
  nowEpochSeconds: () => Math.floor(Date.now() / 1000),
  nowEpochMilliSeconds: () => Date.now(),
  nowFormatted: (pattern: string, timeZone?: string) => formatEpochMillis(Date.now(), pattern, timeZone),
  parseFormattedToEpochMilliSeconds: (timestamp: string, pattern: string, timeZone?: string) =>
    parseFormatted(timestamp, pattern, timeZone),
  parseISO8601ToEpochMilliSeconds: parseISO8601,
  epochMilliSecondsToSeconds: (milliseconds: number) => Math.floor(milliseconds / 1000),
  epochMilliSecondsToISO8601: (milliseconds: number) => new Date(milliseconds).toISOString(),
  epochMilliSecondsToFormatted: (milliseconds: number, pattern: string, timeZone?: string) =>
    formatEpochMillis(milliseconds, pattern, timeZone),
};
