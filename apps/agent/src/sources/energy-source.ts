import type { SampleSource } from '@wattprint/protocol';
import type { DeviceInterval, ProbeResult } from './device-interval';

/**
 * A source of device energy. `poll` hands over the energy measured since the previous poll, so no joule is
 * counted twice or dropped between polls; a device with nothing new is left out (a gap, never a guess).
 */
export interface EnergySource {
  readonly kind: SampleSource;
  start(): Promise<void>;
  poll(now: number): Promise<DeviceInterval[]>;
  /** One reading of each device and the problems met, for `wattprint-agent probe`. */
  probe(): Promise<ProbeResult>;
  stop(): Promise<void>;
}
