import { engineInfo } from '../../engine/index.ts';
import type { Command } from '../command.ts';

export const engineCommand: Command = {
  summary: 'print the engine build and the machine it runs on (JSON)',
  usage: 'usage: probedeck engine',
  async run() {
    console.log(JSON.stringify(engineInfo(), null, 2));
    return 0;
  }
};
