package dev.strata.server.admit;

/**
 * An {@link Admission} whose outcomes are reported to an {@link AdmissionMeter}: each refusal with
 * the limit that refused it, each admission with its queue wait. A downgrade is neither (the
 * request is served, on another model, and admitted again for it).
 */
public final class MeteredAdmission implements Admission {
    private final Admission admission;
    private final AdmissionMeter meter;

    public MeteredAdmission(Admission admission, AdmissionMeter meter) {
        this.admission = admission;
        this.meter = meter;
    }

    @Override
    public Decision admit(AdmissionRequest request) {
        Decision decision = admission.admit(request);
        String tenant = request.caller().tenantName();
        switch (decision) {
            case Decision.Admitted a -> meter.admitted(tenant, a.permit().queuedNanos());
            case Decision.Rejected r -> meter.refused(tenant, r.limit().label());
            case Decision.Unavailable u -> meter.refused(tenant, u.limit().label());
            case Decision.Forbidden f -> meter.refused(tenant, "model_not_allowed");
            case Decision.Invalid i -> meter.refused(tenant, "max_tokens");
            case Decision.Downgraded d -> { }
        }
        return decision;
    }
}
