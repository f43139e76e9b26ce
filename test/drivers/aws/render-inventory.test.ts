import { describe, expect, it } from "vitest";
import { missingInventoryOutputs, renderInventory } from "../../../src/drivers/aws/render-inventory.js";

const OUTPUTS = {
  AirflowUrl: "http://203.0.113.10:8080",
  HostAddress: "203.0.113.10",
  HostInstanceId: "i-0123456789abcdef0",
  WarehouseEndpoint: "shadowops-acme-pr-42.abc123xyz789.eu-west-1.redshift.amazonaws.com",
  WarehousePort: "5439",
  WarehouseClusterIdentifier: "shadowops-acme-pr-42",
  WarehouseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shadowops/acme-pr-42/warehouse-1a2b-AbCdEf",
  AirflowSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shadowops/acme-pr-42/airflow-1a2b-AbCdEf",
};

describe("renderInventory", () => {
  it("writes the shape of ansible/inventory/shadow.example.yml from the stack's outputs", () => {
    const yaml = renderInventory({
      environment: "acme-pr-42",
      stackName: "shadowops-acme-pr-42",
      region: "eu-west-1",
      commit: "0123456789abcdef0123456789abcdef01234567",
      outputs: OUTPUTS,
      warehouseDatabase: "analytics",
    });
    expect(yaml.split("\n").filter((line) => !line.startsWith("#"))).toEqual([
      "---",
      "all:",
      "  children:",
      "    shadow_nodes:",
      "      hosts:",
      '        "acme-pr-42":',
      '          ansible_host: "203.0.113.10"',
      '          ansible_user: "ubuntu"',
      '          shadowops_environment: "acme-pr-42"',
      '          shadowops_aws_region: "eu-west-1"',
      '          shadowops_commit: "0123456789abcdef0123456789abcdef01234567"',
      `          shadowops_warehouse_secret_arn: "${OUTPUTS.WarehouseSecretArn}"`,
      `          shadowops_airflow_secret_arn: "${OUTPUTS.AirflowSecretArn}"`,
      `          shadowops_warehouse_host: "${OUTPUTS.WarehouseEndpoint}"`,
      "          shadowops_warehouse_port: 5439",
      '          shadowops_warehouse_database: "analytics"',
      '          shadowops_airflow_base_url: "http://203.0.113.10:8080"',
      "",
    ]);
  });

  it("quotes values so no output can change the document", () => {
    const yaml = renderInventory({
      environment: "pr-1",
      stackName: "shadowops-pr-1",
      region: "us-east-1",
      commit: "abcdef1",
      outputs: { ...OUTPUTS, HostAddress: '1.2.3.4"\n          ansible_become_password: "x', WarehousePort: "not a port" },
      warehouseDatabase: "warehouse",
    });
    expect(yaml).toContain('ansible_host: "1.2.3.4\\"\\n          ansible_become_password: \\"x"');
    expect(yaml).not.toMatch(/^ {10}ansible_become_password/m);
    expect(yaml).not.toContain("shadowops_warehouse_port");
  });

  it("names the outputs it cannot do without", () => {
    expect(missingInventoryOutputs(OUTPUTS)).toEqual([]);
    expect(missingInventoryOutputs({ HostAddress: "1.2.3.4" })).toEqual(["WarehouseSecretArn", "AirflowSecretArn"]);
  });
});
