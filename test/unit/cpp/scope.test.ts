import * as assert from 'node:assert';
import { join } from 'node:path';
import { collectScope } from '../../../server/src/core/cpp/scope';
import { FIXTURES, fixtureElements } from './fixtureIndex';

describe('the scope of an element', () => {
  it('resolves the base chain up to Element with templated bases and their state types', async () => {
    const index = await fixtureElements();
    const scope = collectScope(index, index.element('IPortScanDetector')!);
    assert.deepStrictEqual(scope.baseNames, ['IFlowManager<PSDState>', 'BatchElement', 'Element']);
    assert.deepStrictEqual(scope.unresolvedBases, []);
    assert.deepStrictEqual({ ...scope.chain.find((c) => c.cls.name === 'IFlowManager')!.subst }, { State: 'PSDState' });
    assert.deepStrictEqual(
      scope.stateTypes.map((s) => [s.name, s.base, s.cls?.file]),
      [['PSDState', 'IFlowManager', join(FIXTURES, 'elements', 'flowmage', 'iportscandetector.hh')]],
    );
    assert.deepStrictEqual(scope.recordClasses.map((c) => c.name).sort(), ['IState', 'IStateTable', 'PSDState', 'PortNode']);
  });

  it('knows the state type of FlowStateElement<Derived, T> even when it is a builtin', async () => {
    const index = await fixtureElements();
    const scope = collectScope(index, index.element('FlowCounter')!);
    assert.deepStrictEqual(scope.baseNames, ['FlowStateElement<FlowCounter, int>', 'VirtualFlowSpaceElement', 'FlowElement', 'BatchElement', 'Element']);
    assert.deepStrictEqual(
      scope.stateTypes.map((s) => [s.name, s.base, s.keyedBy]),
      [['int', 'FlowStateElement', 'flow-manager']],
    );
  });

  it('follows calls from the entry points into the element, its bases and its helpers, and nothing else', async () => {
    const index = await fixtureElements();
    const reach = (name: string) =>
      collectScope(index, index.element(name)!)
        .reachable.map((r) => `${r.owner?.cls.name ?? ''}::${r.fn.name}`)
        .sort();
    assert.deepStrictEqual(reach('IPortScanDetector'), ['IFlowManager::push_batch', 'IPortScanDetector::calculate_hash', 'IPortScanDetector::process']);
    assert.deepStrictEqual(reach('ISourceCounter'), ['IPKeyedElement::source_key', 'ISourceCounter::simple_action']);
    assert.deepStrictEqual(reach('FlowIPLoadBalancer'), [
      'FlowIPLoadBalancer::new_flow',
      'FlowIPLoadBalancer::pick_server',
      'FlowIPLoadBalancer::push_flow',
      'FlowIPLoadBalancer::release_flow',
      'FlowStateElement::new_flow',
      'FlowStateElement::push_batch',
      'FlowStateElement::release_flow',
      'FlowStateElement::slot',
    ]);
  });
});
