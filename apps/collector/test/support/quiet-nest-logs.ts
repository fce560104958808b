// Jest setup: services a test builds by hand (outside a Nest app) log through Nest's static Logger, whose
// default prints coloured text; route it to the silent test logger like the apps' own lines.
import { Logger } from '@nestjs/common';
import { PinoNestLogger } from '../../src/logging/pino-nest-logger';
import { testLogger } from './test-logger';

Logger.overrideLogger(new PinoNestLogger(testLogger()));
