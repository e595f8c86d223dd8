// A run's hardware: CPU, memory, torch build, device chosen and GPUs.
import React from 'react';

import type { RunDetail } from '../../models/types';
import {
  asArray,
  asNumber,
  asString,
  field,
  formatGiB,
  formatValue,
  MISSING
} from '../../format';
import { KeyValueTable, TableHead } from '../common';

/** CPU, cores, memory, torch, the device the run chose and one row per GPU. */
export function Hardware(props: {
  hardware: RunDetail['hardware'];
  device: string | undefined;
}): React.JSX.Element {
  const { hardware, device } = props;
  if (hardware === null) {
    return <p className="jp-xp-Muted">No hardware record for this run.</p>;
  }
  const cpu = hardware.cpu;
  const torch = hardware.torch;
  const gpus = asArray(hardware.gpus);
  const cores = [
    asNumber(field(cpu, 'logical_cores')),
    asNumber(field(cpu, 'physical_cores'))
  ];
  const rows: [string, string][] = [
    ['CPU', formatValue(field(cpu, 'model'))],
    [
      'Cores',
      cores[0] === null
        ? MISSING
        : `${cores[0]} logical${cores[1] !== null ? `, ${cores[1]} physical` : ''}`
    ],
    ['Memory', formatGiB(asNumber(field(hardware.memory, 'total')))],
    ['torch', formatValue(field(torch, 'version'))],
    ['torch CUDA build', formatValue(field(torch, 'cuda_build'))],
    ['Device chosen', device ?? MISSING]
  ];
  return (
    <>
      <KeyValueTable label="Hardware" rows={rows} />
      <h4 className="jp-xp-Subheading">GPUs</h4>
      {gpus.length === 0 ? (
        <p className="jp-xp-Muted">
          No GPU
          {asString(hardware.nvml_error)
            ? ` (${asString(hardware.nvml_error)})`
            : ''}
          .
        </p>
      ) : (
        <table className="jp-xp-Table" aria-label="GPUs">
          <TableHead columns={['#', 'Name', 'Memory', 'Driver', 'CUDA']} />
          <tbody>
            {gpus.map((gpu, index) => (
              <tr key={index}>
                <td>{formatValue(field(gpu, 'index') ?? index)}</td>
                <td>{formatValue(field(gpu, 'name'))}</td>
                <td>{formatGiB(asNumber(field(gpu, 'memory_total')))}</td>
                <td>{formatValue(field(gpu, 'driver_version'))}</td>
                <td>{formatValue(field(gpu, 'cuda_driver_version'))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
