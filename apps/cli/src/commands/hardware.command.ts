import { listHardware } from '@wattprint/estimation';
import type { Command } from 'commander';
import { formatHardware } from '../format/hardware.format';
import type { CliIo } from '../io';

export function registerHardwareCommand(program: Command, io: CliIo): void {
  const hardware = program.command('hardware').description('the hardware catalogue the model prices runs with');
  hardware
    .command('list')
    .description('list hardware profiles with their datasheet figures')
    .option('--json', 'print every profile with the source of each figure')
    .action((options: { json?: boolean }) => {
      io.stdout(options.json ? `${JSON.stringify(listHardware(), null, 2)}\n` : formatHardware(listHardware()));
    });
}
