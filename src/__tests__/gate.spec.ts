// Unit tests of the gate's model: the sides and metrics a comparison offers, and one question to GET gate at a time.
import { afterEach, describe, expect, it } from '@jest/globals';

import type { GateBody } from '../api/types';
import { gateMetrics, GateModel, gateSides } from '../models/gate';
import { ModelVersionsModel } from '../models/modelVersions';
import { gateBody, twoGroups } from './gateBodies';
import { FakeTransport, serverError } from './fakeTransport';

describe('the gate of a comparison', () => {
  let model: GateModel | null = null;

  afterEach(() => {
    model?.dispose();
  });

  it('offers each seed group as a side and every metric but system/*', () => {
    // Given a comparison of two seed groups that logged accuracy, loss and CPU
    const body = twoGroups();

    // When its gate sides and metrics are read
    const sides = gateSides(body);
    const metrics = gateMetrics(body);

    // Then each group is a side, selected by its run ids, and system/cpu is left out
    expect(sides).toEqual([
      { label: 'width=16', selection: 'a0,a1,a2,a3,a4', runs: 5 },
      { label: 'width=32', selection: 'b0,b1,b2,b3,b4', runs: 5 }
    ]);
    expect(metrics).toEqual(['val/accuracy', 'val/loss']);
  });

  it('asks GET gate with the chosen sides and limits, and holds the decision', async () => {
    // Given a server whose gate fails the candidate
    const server = new FakeTransport().on('GET gate', () => gateBody());
    model = new GateModel(server.client());
    expect(model.state.kind).toBe('idle');

    // When the candidate is gated with a minimum effect, better required
    const asked = model.gate({
      baseline: 'a0,a1',
      candidate: 'models:/digits@staging',
      metric: 'val/loss',
      direction: 'minimize',
      minEffect: 0.005,
      requireBetter: true
    });
    expect(model.state.kind).toBe('loading');
    await asked;

    // Then the request carries each argument as the route names it
    const [request] = server.calls('GET gate');
    expect(Object.fromEntries(request.query ?? [])).toEqual({
      baseline: 'a0,a1',
      candidate: 'models:/digits@staging',
      metric: 'val/loss',
      direction: 'minimize',
      min_effect: '0.005',
      require_better: 'true'
    });
    // ...and the decision is the server's
    expect(model.state).toEqual({ kind: 'ready', value: gateBody() });
  });

  it('leaves out what the server decides by default, and says why a gate was refused', async () => {
    // Given a server that refuses the selection with its one-line 400
    const server = new FakeTransport().on('GET gate', () => {
      throw serverError(400, "'nope': no run matches");
    });
    model = new GateModel(server.client());

    // When a gate is asked without a direction or better required
    await model.gate({ baseline: 'nope', candidate: 'b0', metric: 'm' });

    // Then only the given arguments are sent, and the refusal is the state
    const query = server.calls('GET gate')[0].query;
    expect([...(query?.keys() ?? [])]).toEqual([
      'baseline',
      'candidate',
      'metric'
    ]);
    expect(model.state).toEqual({
      kind: 'failed',
      message: "'nope': no run matches"
    });
  });

  it('drops a late answer to an earlier question', async () => {
    // Given a server whose first answer arrives after its second
    const answers: ((body: GateBody) => void)[] = [];
    const server = new FakeTransport().on(
      'GET gate',
      () => new Promise<GateBody>(resolve => answers.push(resolve))
    );
    model = new GateModel(server.client());
    const first = model.gate({ baseline: 'a', candidate: 'b', metric: 'm' });
    const second = model.gate({ baseline: 'a', candidate: 'c', metric: 'm' });

    // When the second answer (pass) arrives, then the first (fail)
    answers[1](gateBody({ decision: 'pass', exit_code: 0 }));
    await second;
    answers[0](gateBody());
    await first;

    // Then the decision shown is the second question's
    expect(model.query?.candidate).toBe('c');
    expect(model.state.kind === 'ready' && model.state.value.decision).toBe(
      'pass'
    );

    // When the form is closed, question and answer are forgotten
    model.clear();
    expect(model.state.kind).toBe('idle');
    expect(model.query).toBeNull();
  });
});

describe('a run’s registered model versions', () => {
  it('are read once asked, and read again after a failure', async () => {
    // Given a registry that fails, then lists one version
    let failing = true;
    const server = new FakeTransport().on('GET runs/abc/models', () => {
      if (failing) {
        throw serverError(503, 'the model registry failed: down');
      }
      return {
        run_id: 'abc',
        versions: [{ name: 'digits', version: '2', aliases: ['staging'] }],
        unreadable: []
      };
    });
    const versions = new ModelVersionsModel(server.client(), 'abc');
    expect(versions.asked).toBe(false);

    // When they are asked for while the registry fails
    await versions.load();

    // Then the state says why
    expect(versions.asked).toBe(true);
    expect(versions.state).toEqual({
      kind: 'failed',
      message: 'the model registry failed: down'
    });

    // When they are asked for again once it answers
    failing = false;
    await versions.load();

    // Then the version and its alias are there
    expect(versions.state.kind === 'ready' && versions.state.value).toEqual({
      run_id: 'abc',
      versions: [{ name: 'digits', version: '2', aliases: ['staging'] }],
      unreadable: []
    });
    versions.dispose();
  });
});
