import { describe, expect, it } from "vitest";
import { InvalidSettingError, UnknownPriceError } from "../../../src/drivers/aws/aws-errors.js";
import { estimateCost, PRICE_TABLE } from "../../../src/drivers/aws/cost-estimate.js";

describe("estimateCost", () => {
  it("adds the host, the warehouse nodes and the host's address and disk", () => {
    const estimate = estimateCost({ instanceType: "t3.large", nodeType: "ra3.xlplus", nodes: 2, region: "us-east-1" });
    expect(estimate.host.hourlyUsd).toBe(0.0832);
    expect(estimate.warehouse).toEqual({ nodeType: "ra3.xlplus", nodes: 2, hourlyUsd: 2.172 });
    expect(estimate.hourlyUsd).toBeCloseTo(0.0832 + 2.172 + 0.005 + (30 * 0.08) / 730, 4);
    expect(estimate.summary).toMatch(/^\$2\.26\/h \(t3\.large \$0\.0832 \+ 2 × ra3\.xlplus \$1\.086 .*us-east-1 prices of 2025-06; Redshift storage not included\)$/);
  });

  it("states the table's date and region, and says when the stack's region differs", () => {
    const estimate = estimateCost({ instanceType: "m7i.large", nodeType: "ra3.large", nodes: 1, region: "eu-central-1" });
    expect(estimate).toMatchObject({ pricesAsOf: PRICE_TABLE.asOf, pricesRegion: "us-east-1" });
    expect(estimate.summary).toContain("eu-central-1 may differ");
  });

  it("prices every node type the template allows", () => {
    for (const nodeType of ["ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "dc2.large", "dc2.8xlarge"]) {
      expect(() => estimateCost({ instanceType: "t3.large", nodeType, nodes: 1 })).not.toThrow();
    }
  });

  it("names the known types when one is unknown", () => {
    expect(() => estimateCost({ instanceType: "t3.nano", nodeType: "ra3.large", nodes: 1 })).toThrow(UnknownPriceError);
    expect(() => estimateCost({ instanceType: "t3.nano", nodeType: "ra3.large", nodes: 1 })).toThrow(/EC2 instance type t3\.nano .*Known: t3\.medium, t3\.large/);
    expect(() => estimateCost({ instanceType: "t3.large", nodeType: "ds2.xlarge", nodes: 1 })).toThrow(/Redshift node type ds2\.xlarge .*Known: ra3\.large, ra3\.xlplus/);
    expect(() => estimateCost({ instanceType: "t3.large", nodeType: "ra3.large", nodes: 0 })).toThrow(InvalidSettingError);
  });
});
