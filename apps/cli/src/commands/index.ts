import type { Command } from 'commander';
import type { CliIo } from '../io';
import { registerAccuracyCommand } from './accuracy.command';
import { registerCalibrateCommand } from './calibrate.command';
import { registerForecastCommand } from './forecast.command';
import { registerHardwareCommand } from './hardware.command';
import { registerIntensityCommands } from './intensity.command';
import { registerRunCommand } from './run.command';
import { registerSearchCommand } from './search.command';

/** Each command registers itself on the program; add a new one here. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerForecastCommand,
  registerCalibrateCommand,
  registerHardwareCommand,
  registerAccuracyCommand,
  registerIntensityCommands,
  registerRunCommand,
  registerSearchCommand,
];
