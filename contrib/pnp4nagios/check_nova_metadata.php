<?php
#
# PNP4Nagios template for check_nova_metadata (GPL-3.0-or-later).
#
# PNP picks a template by the check command's name: copy (or link) this
# file as check_nova_metadata.php, check_nova_metadata_openstack.php and
# check_nova_metadata_cloud_init.php (the commands of nova_metadata.cfg)
# and as nova_metadata.php (Icinga 2's CheckCommand) into pnp4nagios'
# templates directory.
#
# The data sources are found by their perfdata label, never by position:
# the plugin's labels and their order are stable, but tls_time (-S), the
# cloud-init ones (--cloud-init) and vendordata_time (--vendordata-target)
# come and go with the mode. With several targets (-H repeated, or the
# agent's hop and Nova's) each label carries the target's word after
# "_" (time_127_0_0_1_8775, time_agent), every target has ok_WORD (1 when
# it is OK), and backends_ok or hops_ok counts them: each graph then has
# a line per target.
#

# One graph per group; each label names a perfdata label of the plugin,
# alone or with a target's word after it.
$nm_graphs = array(
	array('title' => 'Response time', 'unit' => 's',
	      'labels' => array('time', 'tls_time', 'meta_data_time',
	                        'user_data_time', 'vendor_data_time',
	                        'vendor_data2_time', 'network_data_time',
	                        'ec2_time', 'vendordata_time')),
	array('title' => 'Size of the answers', 'unit' => 'B',
	      'labels' => array('size')),
	array('title' => 'Requests', 'unit' => '',
	      'labels' => array('requests')),
	array('title' => 'Targets OK', 'unit' => '',
	      'labels' => array('backends_ok', 'hops_ok', 'ok')),
);
$nm_colors = array('#1f5fbf', '#d55c99', '#5cd58c', '#d5a15c', '#8c5cd5',
                   '#0f0551', '#bdbd00', '#cc3300');

# The plugin's label that a printed label is: itself, or the one it
# starts with before "_" and a target's word (tls_time_agent is
# tls_time's, not time's); the longest, should one ever start another.
function nm_base_label($printed, $graphs) {
	$best = "";
	foreach ($graphs as $graph) {
		foreach ($graph['labels'] as $label) {
			if (($printed == $label ||
			     strpos($printed, $label . "_") === 0) &&
			    strlen($label) > strlen($best)) {
				$best = $label;
			}
		}
	}
	return $best;
}

$nm_by_base = array();
foreach ($this->DS as $KEY => $VAL) {
	$base = nm_base_label($VAL['LABEL'], $nm_graphs);
	if ($base != "") {
		$nm_by_base[$base][] = $VAL;
	}
}

$n = 0;
foreach ($nm_graphs as $graph) {
	$present = array();
	foreach ($graph['labels'] as $label) {
		if (isset($nm_by_base[$label])) {
			foreach ($nm_by_base[$label] as $VAL) {
				$present[] = $VAL;
			}
		}
	}
	if (count($present) == 0) {
		continue;
	}
	$n++;
	$ds_name[$n] = $graph['title'];
	$opt[$n] = "--vertical-label \"" . $graph['unit'] . "\" -l0 --title \""
	         . $this->MACRO['DISP_HOSTNAME'] . " / "
	         . $this->MACRO['DISP_SERVICEDESC'] . ": " . $graph['title'] . "\" ";
	$def[$n] = "";
	foreach ($present as $i => $VAL) {
		$label = $VAL['LABEL'];
		$var = "v" . $i;
		$color = $nm_colors[$i % count($nm_colors)];
		$def[$n] .= rrd::def($var, $VAL['RRDFILE'], $VAL['DS'], "AVERAGE");
		if ($i == 0) {
			$def[$n] .= rrd::area($var, $color . "40", rrd::cut($label, 18));
		}
		$def[$n] .= rrd::line1($var, $color, $i == 0 ? "" : rrd::cut($label, 18));
		$def[$n] .= rrd::gprint($var, array("LAST", "AVERAGE", "MAX"),
		                        "%8.3lf %s" . $graph['unit']);
		if ($i == 0 && $VAL['WARN'] != "") {
			$def[$n] .= rrd::hrule($VAL['WARN'], "#ffff00",
			                       "Warning  " . $VAL['WARN'] . $graph['unit'] . "\\n");
		}
		if ($i == 0 && $VAL['CRIT'] != "") {
			$def[$n] .= rrd::hrule($VAL['CRIT'], "#ff0000",
			                       "Critical " . $VAL['CRIT'] . $graph['unit'] . "\\n");
		}
	}
}
?>
