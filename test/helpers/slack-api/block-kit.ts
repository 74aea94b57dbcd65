// Slack's Block Kit rules that matter to us, as Slack applies them: the stand-in refuses what Slack would refuse.
// Slack's own limits, written here on purpose rather than imported from src/blocks: a wrong limit in the code must
// make a test fail, not move the oracle with it.

export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  id: 255,
  actionsElements: 25,
  contextElements: 10,
  totalText: 13_000,
} as const;

export type Invalid = { ok: false; error: string; errors: string[] };

/** Slack's Block Kit rules that matter to us; returns the refusal, or undefined when the blocks are fine. */
export function validateBlocks(blocks: unknown, maxBlocks: number, countText = true): Invalid | undefined {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks', errors: ['blocks must be an array'] };
  if (blocks.length > maxBlocks) errors.push(`more than ${maxBlocks} blocks (${blocks.length})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let totalText = 0;

  const text = (t: unknown, where: string, max: number, kind?: 'plain_text' | 'mrkdwn') => {
    const o = t as { type?: string; text?: unknown } | undefined;
    if (!o || typeof o !== 'object' || typeof o.text !== 'string') {
      errors.push(`${where}: missing text object`);
      return;
    }
    if (o.type !== 'plain_text' && o.type !== 'mrkdwn') errors.push(`${where}: bad text type ${o.type}`);
    if (kind && o.type !== kind) errors.push(`${where}: must be ${kind}`);
    if (o.text.length === 0) errors.push(`${where}: empty text`);
    if (o.text.length > max) errors.push(`${where}: text longer than ${max} (${o.text.length})`);
    totalText += o.text.length;
  };
  const id = (value: unknown, set: Set<string>, where: string, name: string) => {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.id) {
      errors.push(`${where}: bad ${name}`);
      return;
    }
    if (set.has(value)) errors.push(`${where}: duplicate ${name} ${value}`);
    set.add(value);
  };
  const element = (e: unknown, where: string) => {
    const el = e as Record<string, unknown>;
    if (!el || typeof el !== 'object') {
      errors.push(`${where}: not an object`);
      return;
    }
    id(el.action_id, actionIds, where, 'action_id');
    if (el.type === 'button') {
      text(el.text, `${where}.text`, LIMITS.buttonText, 'plain_text');
      if (typeof el.value === 'string' && el.value.length > LIMITS.buttonValue) errors.push(`${where}: value too long`);
      if (typeof el.url === 'string' && el.url.length > LIMITS.url) errors.push(`${where}: url too long`);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') errors.push(`${where}: bad style`);
    } else if (el.type === 'static_select') {
      if (el.placeholder !== undefined) text(el.placeholder, `${where}.placeholder`, 150, 'plain_text');
      const opts = el.options as unknown[] | undefined;
      if (!Array.isArray(opts) || opts.length === 0 || opts.length > 100) errors.push(`${where}: 1–100 options`);
      for (const [i, o] of (opts ?? []).entries()) {
        const opt = o as { text?: unknown; value?: unknown };
        text(opt.text, `${where}.options[${i}]`, 75, 'plain_text');
        if (typeof opt.value !== 'string' || opt.value.length === 0 || opt.value.length > 150) {
          errors.push(`${where}.options[${i}]: bad value`);
        }
      }
    } else if (el.type === 'multi_users_select') {
      if (el.placeholder !== undefined) text(el.placeholder, `${where}.placeholder`, 150, 'plain_text');
      const initial = el.initial_users as unknown;
      if (initial !== undefined && (!Array.isArray(initial) || initial.some((u) => typeof u !== 'string'))) {
        errors.push(`${where}: bad initial_users`);
      }
      const max = el.max_selected_items as unknown;
      if (max !== undefined && (typeof max !== 'number' || max < 1)) errors.push(`${where}: bad max_selected_items`);
      if (Array.isArray(initial) && typeof max === 'number' && initial.length > max) {
        errors.push(`${where}: more initial_users than max_selected_items`);
      }
    } else if (el.type === 'radio_buttons') {
      const opts = el.options as unknown[] | undefined;
      if (!Array.isArray(opts) || opts.length === 0 || opts.length > 10) errors.push(`${where}: 1–10 options`);
      for (const [i, o] of (opts ?? []).entries()) text((o as { text?: unknown }).text, `${where}.options[${i}]`, 75);
    } else if (el.type === 'image') {
      if (typeof el.image_url !== 'string' || typeof el.alt_text !== 'string') errors.push(`${where}: bad image`);
    } else if (el.type === 'plain_text' || el.type === 'mrkdwn') {
      text(el, where, LIMITS.sectionText);
    } else if (el.type === 'overflow' || el.type === 'datepicker' || el.type === 'timepicker') {
      // accepted as is
    } else {
      errors.push(`${where}: unsupported element type ${String(el.type)}`);
    }
  };

  blocks.forEach((b, i) => {
    const block = b as Record<string, unknown>;
    const where = `blocks[${i}]`;
    if (!block || typeof block !== 'object') {
      errors.push(`${where}: not an object`);
      return;
    }
    id(block.block_id, blockIds, where, 'block_id');
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) errors.push(`${where}: needs text or fields`);
        if (block.text !== undefined) text(block.text, `${where}.text`, LIMITS.sectionText);
        if (block.fields !== undefined) {
          const fields = block.fields as unknown[];
          if (!Array.isArray(fields) || fields.length > LIMITS.fields) errors.push(`${where}: at most 10 fields`);
          for (const [j, f] of (Array.isArray(fields) ? fields : []).entries()) {
            text(f, `${where}.fields[${j}]`, LIMITS.field);
          }
        }
        if (block.accessory !== undefined) element(block.accessory, `${where}.accessory`);
        break;
      }
      case 'header':
        text(block.text, `${where}.text`, LIMITS.header, 'plain_text');
        break;
      case 'divider':
        break;
      case 'input': {
        // Only in modals (and the Home tab); a message with one is refused by the caller's check.
        text(block.label, `${where}.label`, 2000, 'plain_text');
        if (!block.element || typeof block.element !== 'object') errors.push(`${where}: input needs an element`);
        else element(block.element, `${where}.element`);
        break;
      }
      case 'context': {
        const els = block.elements as unknown[];
        if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.contextElements) {
          errors.push(`${where}: context needs 1–10 elements`);
        }
        for (const [j, e] of (Array.isArray(els) ? els : []).entries()) element(e, `${where}.elements[${j}]`);
        break;
      }
      case 'actions': {
        const els = block.elements as unknown[];
        if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.actionsElements) {
          errors.push(`${where}: actions needs 1–25 elements`);
        }
        for (const [j, e] of (Array.isArray(els) ? els : []).entries()) element(e, `${where}.elements[${j}]`);
        break;
      }
      default:
        errors.push(`${where}: unsupported block type ${String(block.type)}`);
    }
  });
  if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors };
  if (countText && totalText > LIMITS.totalText) {
    return { ok: false, error: 'msg_blocks_too_long', errors: [`${totalText} characters of block text`] };
  }
  return undefined;
}
