import { describe, expect, it } from 'vitest';
import { setBackend } from './backend';
import { withoutNewProcessHandlers } from './process-handler-guard';

const count = () => process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length;

describe('withoutNewProcessHandlers', () => {
  it('activating the wasm backend leaves no Emscripten process handler behind', async () => {
    const before = count();
    await setBackend('wasm');
    expect(count()).toBe(before);
  });

  it('removes only the listeners added while it ran, even when the function throws', async () => {
    const keep = () => {};
    process.on('uncaughtException', keep);
    const before = count();
    await expect(
      withoutNewProcessHandlers(async () => {
        process.on('uncaughtException', () => {});
        process.on('unhandledRejection', () => {});
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(count()).toBe(before);
    expect(process.listeners('uncaughtException')).toContain(keep);
    process.removeListener('uncaughtException', keep);
  });
});
