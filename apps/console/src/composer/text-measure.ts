/** GSM 03.38 basic set: a text made only of these goes as 7-bit SMS (160 a segment). */
const GSM =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€';

export interface SmsCount {
  encoding: 'gsm7' | 'ucs2';
  /** Characters as the operator counts them (a GSM extension character counts twice). */
  units: number;
  segments: number;
}

/**
 * SMS segments as carriers bill them: GSM-7 160 (153 when concatenated), otherwise UCS-2 70 (67),
 * which is what any Chinese text is. Characters outside the BMP (emoji) take two UCS-2 units.
 */
export function smsSegments(text: string): SmsCount {
  let gsm = true;
  let gsmUnits = 0;
  for (const ch of text) {
    if (GSM.includes(ch)) gsmUnits += 1;
    else if (GSM_EXTENDED.includes(ch)) gsmUnits += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    return {
      encoding: 'gsm7',
      units: gsmUnits,
      segments: gsmUnits === 0 ? 0 : gsmUnits <= 160 ? 1 : Math.ceil(gsmUnits / 153),
    };
  }
  const units = text.length;
  return { encoding: 'ucs2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Characters as a person counts them (code points, so an emoji is one). */
export function characterCount(text: string): number {
  return [...text].length;
}

export function isSmsChannel(name: string): boolean {
  return /sms/i.test(name);
}
