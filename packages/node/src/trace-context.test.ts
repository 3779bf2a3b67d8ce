import { createTraceState, ROOT_CONTEXT, type SpanContext, trace, TraceFlags } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { contextOf, traceContextOf } from './trace-context.js'

const span: SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED }
const carried = (context: ReturnType<typeof contextOf>) => trace.getSpanContext(context)

describe('the W3C trace context a queue job carries', () => {
  it("writes a span's context as traceparent, with its tracestate when it has one", () => {
    expect(traceContextOf(span)).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })
    expect(traceContextOf({ ...span, traceFlags: TraceFlags.NONE, traceState: createTraceState('vendor=a1,other=b2') })).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      tracestate: 'vendor=a1,other=b2',
    })
  })

  it('writes nothing for an invalid span context (no tracer provider registered, nothing to continue)', () => {
    expect(traceContextOf(trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }).spanContext())).toBeUndefined()
  })

  it('reads it back as a remote parent, the same trace', () => {
    const written = traceContextOf({ ...span, traceState: createTraceState('vendor=a1') })
    expect(carried(contextOf(written, ROOT_CONTEXT))).toMatchObject({ ...span, isRemote: true })
    expect(carried(contextOf(written, ROOT_CONTEXT))?.traceState?.get('vendor')).toBe('a1')
  })

  it('ignores what is not a valid version-00 traceparent, and a tracestate past the W3C size', () => {
    const hostile = [
      undefined,
      { traceparent: '' },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7' },
      { traceparent: '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      { traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01' },
      { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` },
      { traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01` },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nX-Injected: 1' },
      { traceparent: 42 as unknown as string },
    ]
    for (const context of hostile) expect(carried(contextOf(context, ROOT_CONTEXT))).toBeUndefined()
    const long = contextOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: `a=${'b'.repeat(600)}` }, ROOT_CONTEXT)
    expect(carried(long)?.traceState).toBeUndefined()
  })
})
